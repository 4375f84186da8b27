"""``azureml.data.datapath``."""

from jupyter_mlws.azureml._unavailable import placeholder
from jupyter_mlws.azureml.data import FEATURE

DataPath = placeholder("DataPath", FEATURE, __name__)
DataPathComputeBinding = placeholder("DataPathComputeBinding", FEATURE, __name__)
