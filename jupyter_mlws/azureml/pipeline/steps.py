"""``azureml.pipeline.steps``: see ``azureml.pipeline.core``."""

from jupyter_mlws.azureml._unavailable import placeholder
from jupyter_mlws.azureml.pipeline.core import FEATURE

PythonScriptStep = placeholder("PythonScriptStep", FEATURE, __name__)
HyperDriveStep = placeholder("HyperDriveStep", FEATURE, __name__)
ParallelRunStep = placeholder("ParallelRunStep", FEATURE, __name__)
ParallelRunConfig = placeholder("ParallelRunConfig", FEATURE, __name__)
CommandStep = placeholder("CommandStep", FEATURE, __name__)
DataTransferStep = placeholder("DataTransferStep", FEATURE, __name__)
