"""``azureml.data``: datasets and datastores under v1's names.

The native data capability (datastores, versioned datasets) is being built; until it
is mapped here, these names import and raise ``NotAvailableError`` when used.
"""

from __future__ import annotations

from typing import Any

from jupyter_mlws.azureml._unavailable import placeholder
from jupyter_mlws.azureml.exceptions import NotAvailableError

FEATURE = "datasets and datastores (azureml.data)"

Dataset = placeholder("Dataset", FEATURE, __name__)
Datastore = placeholder("Datastore", FEATURE, __name__)
TabularDataset = placeholder("TabularDataset", FEATURE, __name__)
FileDataset = placeholder("FileDataset", FEATURE, __name__)
OutputFileDatasetConfig = placeholder("OutputFileDatasetConfig", FEATURE, __name__)
DataType = placeholder("DataType", FEATURE, __name__)


def registered_datasets(workspace: Any) -> dict[str, Any]:
    """``ws.datasets``: none until the data capability is mapped."""
    return {}


def registered_datastores(workspace: Any) -> dict[str, Any]:
    return {}


def default_datastore(workspace: Any) -> Any:
    raise NotAvailableError(f"{FEATURE} (Workspace.get_default_datastore)")


__all__ = [
    "DataType",
    "Dataset",
    "Datastore",
    "FileDataset",
    "OutputFileDatasetConfig",
    "TabularDataset",
]
