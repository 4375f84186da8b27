"""``azureml.data.tabular_dataset``."""

from jupyter_mlws.azureml.data.abstract_dataset import TabularDataset

__all__ = ["TabularDataset"]
