"""``azureml.core.datastore``."""

from jupyter_mlws.azureml.data import Datastore

__all__ = ["Datastore"]
