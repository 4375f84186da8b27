"""Typed errors shared by every layer.

Each error carries an MLflow-style ``error_code`` so that the REST layer can map it to
an HTTP status once, and the CLI can print it as one line.
"""

from __future__ import annotations

from typing import ClassVar


class MlwsError(Exception):
    """Base class for every error a user can cause or fix."""

    error_code: ClassVar[str] = "INTERNAL_ERROR"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"error_code": self.error_code, "message": self.message}


class InvalidParameterError(MlwsError, ValueError):
    error_code = "INVALID_PARAMETER_VALUE"
    http_status = 400


class ResourceNotFoundError(MlwsError, LookupError):
    error_code = "RESOURCE_DOES_NOT_EXIST"
    http_status = 404


class ResourceAlreadyExistsError(MlwsError):
    error_code = "RESOURCE_ALREADY_EXISTS"
    http_status = 409


class ResourceConflictError(MlwsError):
    """The request is valid but conflicts with the resource's current state."""

    error_code = "RESOURCE_CONFLICT"
    http_status = 409


class ImmutableValueError(ResourceConflictError):
    """A param or property was set again with a different value."""


class WorkspaceError(MlwsError):
    """The workspace cannot be opened as configured (config, schema, storage)."""

    error_code = "WORKSPACE_ERROR"
    http_status = 500


class ComputeUnavailableError(MlwsError):
    """A compute target's cluster or gateway cannot be reached, or refused the request."""

    error_code = "TEMPORARILY_UNAVAILABLE"
    http_status = 503


class SnapshotTooLargeError(InvalidParameterError):
    """The source folder exceeds the snapshot limits."""


class MissingExtraError(MlwsError, ImportError):
    """An optional dependency is not installed; the message names the extra."""

    error_code = "MISSING_DEPENDENCY"
    http_status = 501

    def __init__(self, module: str, extra: str) -> None:
        super().__init__(
            f'{module} is needed for this feature: pip install "jupyter-mlws[{extra}]"'
        )
        self.module = module
        self.extra = extra


class RunFailedError(MlwsError):
    """Raised by ``wait_for_completion`` when the run ends Failed or Canceled."""

    error_code = "RUN_FAILED"
    http_status = 409

    def __init__(self, run_id: str, status: str, error: str | None) -> None:
        detail = f": {error}" if error else ""
        super().__init__(f"run {run_id} ended {status}{detail}")
        self.run_id = run_id
        self.status = status
        self.error = error


class MetricsNotSavedError(MlwsError):
    """Buffered metric points could not be written: the store keeps failing.

    ``unsaved`` points are still buffered (and retried); ``dropped`` were discarded
    during this outage because the buffer was full (the run's property
    ``mlws.dropped_metric_points`` counts them once the store takes writes again).
    """

    error_code = "METRICS_NOT_SAVED"
    http_status = 503

    def __init__(self, run_id: str, unsaved: int, dropped: int, cause: str) -> None:
        lost = f", {dropped:,} more were dropped (buffer full)" if dropped else ""
        super().__init__(f"{unsaved:,} metric points of run {run_id} are not saved{lost}: {cause}")
        self.run_id = run_id
        self.unsaved = unsaved
        self.dropped = dropped
        self.cause = cause


def require(module: str, extra: str) -> None:
    """Fail with a message naming the extra when an optional module is missing."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise MissingExtraError(module, extra)
