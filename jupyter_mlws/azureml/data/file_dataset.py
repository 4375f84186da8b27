"""``azureml.data.file_dataset``."""

from jupyter_mlws.azureml.data.abstract_dataset import FileDataset

__all__ = ["FileDataset"]
