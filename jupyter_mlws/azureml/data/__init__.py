"""``azureml.data``: datasets and datastores under v1's names, over the native data
capability (``jupyter_mlws.data``)."""

from __future__ import annotations

from typing import Any

from jupyter_mlws.azureml.data.abstract_dataset import (
    FileDataset,
    TabularDataset,
    registered_datasets,
)
from jupyter_mlws.azureml.data.azure_storage_datastore import Datastore, registered_datastores
from jupyter_mlws.azureml.data.datapath import DataPath
from jupyter_mlws.azureml.data.dataset_consumption_config import DatasetConsumptionConfig
from jupyter_mlws.azureml.data.dataset_factory import Dataset, DataType
from jupyter_mlws.azureml.data.output_dataset_config import OutputFileDatasetConfig

FEATURE = "datasets and datastores (azureml.data)"


def default_datastore(workspace: Any) -> Datastore:
    """``ws.get_default_datastore()``: ``workspaceblobstore``."""
    return Datastore(workspace)


__all__ = [
    "DataPath",
    "DataType",
    "Dataset",
    "DatasetConsumptionConfig",
    "Datastore",
    "FileDataset",
    "OutputFileDatasetConfig",
    "TabularDataset",
    "default_datastore",
    "registered_datasets",
    "registered_datastores",
]
