"""``azureml.core.compute_target``: where v1 code imports ``ComputeTargetException``."""

from jupyter_mlws.azureml.exceptions import ComputeTargetException

__all__ = ["ComputeTargetException"]
