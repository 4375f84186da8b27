"""The optional dependencies of notebook runs, imported with a message naming the extra."""

from __future__ import annotations

from jupyter_mlws.exceptions import require


def require_papermill() -> None:
    for module in ("papermill", "nbclient", "nbformat", "ipykernel"):
        require(module, "notebook")


def skip_slow_optional_imports() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` in notebook processes.

    jsonschema imports it (when installed, as jupyter_server's dependencies do) only to
    check the ``iri`` string format, which notebook validation never uses; importing it
    builds an Earley parser and costs about a second of CPU in every process that
    imports papermill. ``None`` in ``sys.modules`` makes that optional import fail fast.
    """
    import sys

    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
