"""Data: the key vault, datastores, versioned datasets and their lineage (DESIGN §1)."""

from __future__ import annotations

from jupyter_mlws.data.dataset import (
    Dataset,
    DatasetChangedWarning,
    FileDataset,
    TabularDataset,
)
from jupyter_mlws.data.datastore import Datastore
from jupyter_mlws.data.keyvault import KeyVault
from jupyter_mlws.data.run_io import DatasetConsumptionConfig, OutputFileDatasetConfig


def secret_ref(name: str) -> dict[str, str]:
    """An environment variable value that the runner fills from the key vault:
    ``environment_variables={"PGPASSWORD": secret_ref("db-password")}``."""
    return {"secret": name}


__all__ = [
    "Dataset",
    "DatasetChangedWarning",
    "DatasetConsumptionConfig",
    "Datastore",
    "FileDataset",
    "KeyVault",
    "OutputFileDatasetConfig",
    "TabularDataset",
    "secret_ref",
]
