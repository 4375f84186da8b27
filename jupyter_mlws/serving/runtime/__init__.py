"""The scoring service itself: what runs inside an endpoint's process.

This package imports only the standard library, Starlette, uvicorn and orjson, and
refers to its own modules relatively, so that ``mlws endpoint package`` can copy it as
it is into a build context (``mlws_runtime/``) that runs without jupyter-mlws.
"""
