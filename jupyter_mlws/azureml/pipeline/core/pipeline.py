"""``azureml.pipeline.core.pipeline``, where v1 keeps Pipeline:
the same objects as ``azureml.pipeline.core``'s."""

from jupyter_mlws.azureml.pipeline.core import Pipeline

__all__ = ["Pipeline"]
