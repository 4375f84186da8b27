"""``azureml.core.dataset``."""

from jupyter_mlws.azureml.data import Dataset

__all__ = ["Dataset"]
