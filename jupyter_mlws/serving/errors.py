"""Errors of endpoints, with the structured fields a user needs to act on them."""

from __future__ import annotations

from jupyter_mlws.exceptions import InvalidParameterError, MlwsError, ResourceConflictError


class PortInUseError(ResourceConflictError):
    def __init__(self, bind: str, port: int) -> None:
        super().__init__(
            f"port {port} on {bind} is already in use: pick another one (--port) or leave it "
            "out to get a free port"
        )
        self.bind = bind
        self.port = port


class EndpointStartError(MlwsError):
    """The service did not become ready: ``init()`` raised, the port was taken, it crashed.

    ``message`` is one line; ``traceback`` is ``init()``'s own, and ``str()`` shows both,
    so a notebook user sees the real cause (Azure only said "errors in init()").
    """

    error_code = "ENDPOINT_START_FAILED"
    http_status = 500

    def __init__(self, endpoint: str, error: str, traceback: str = "", log_tail: str = "") -> None:
        super().__init__(f"endpoint {endpoint!r} failed to start: {error}")
        self.endpoint = endpoint
        self.error = error
        self.traceback = traceback
        self.log_tail = log_tail

    def __str__(self) -> str:
        detail = self.traceback or self.log_tail
        return f"{self.message}\n\n{detail.rstrip()}" if detail else self.message


class EndpointInvokeError(MlwsError):
    """The service answered with an error status; ``status`` and ``error_id`` say which."""

    error_code = "ENDPOINT_ERROR"
    http_status = 502

    def __init__(self, endpoint: str, status: int, error: str, error_id: str | None = None):
        suffix = f" (error id {error_id}: see `mlws endpoint logs {endpoint}`)" if error_id else ""
        super().__init__(f"endpoint {endpoint!r} answered {status}: {error}{suffix}")
        self.endpoint = endpoint
        self.status = status
        self.error = error
        self.error_id = error_id


class EndpointUnavailableError(MlwsError):
    error_code = "ENDPOINT_UNAVAILABLE"
    http_status = 503


class DataCollectionError(InvalidParameterError):
    """``collect_data`` refused at deploy: a bad sampling rate or a datastore not writable."""
