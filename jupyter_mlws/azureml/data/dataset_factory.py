"""``azureml.data.dataset_factory``."""

from jupyter_mlws.azureml._unavailable import placeholder
from jupyter_mlws.azureml.data import FEATURE

TabularDatasetFactory = placeholder("TabularDatasetFactory", FEATURE, __name__)
FileDatasetFactory = placeholder("FileDatasetFactory", FEATURE, __name__)
DataType = placeholder("DataType", FEATURE, __name__)
