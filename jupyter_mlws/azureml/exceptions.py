"""The v1 exception names (``azureml.exceptions``), as our typed errors.

Each is also the native error it stands for, so ``except ComputeTargetException`` (v1
samples) and ``except ResourceNotFoundError`` (native code) both catch it.
"""

from __future__ import annotations

from jupyter_mlws.exceptions import (
    InvalidParameterError,
    MlwsError,
    ResourceNotFoundError,
    RunFailedError,
)


class AzureMLException(MlwsError):
    """Base of the v1 exceptions."""


class UserErrorException(AzureMLException, InvalidParameterError):
    pass


class ComputeTargetException(AzureMLException, ResourceNotFoundError):
    pass


class WebserviceException(AzureMLException, ResourceNotFoundError):
    pass


class ModelNotFoundException(AzureMLException, ResourceNotFoundError):
    pass


class ExperimentExecutionException(AzureMLException, InvalidParameterError):
    pass


class ActivityFailedException(AzureMLException, RunFailedError):
    pass


class NotAvailableError(AzureMLException, NotImplementedError):
    """A v1 feature whose native capability has not landed in jupyter-mlws yet."""

    def __init__(self, feature: str) -> None:
        super().__init__(f"not available yet in jupyter-mlws: {feature}")
        self.feature = feature


__all__ = [
    "ActivityFailedException",
    "AzureMLException",
    "ComputeTargetException",
    "ExperimentExecutionException",
    "ModelNotFoundException",
    "NotAvailableError",
    "UserErrorException",
    "WebserviceException",
]
