"""``azureml.pipeline.core.pipeline_endpoint``, where v1 keeps PipelineEndpoint, PipelineVersion:
the same objects as ``azureml.pipeline.core``'s."""

from jupyter_mlws.azureml.pipeline.core import PipelineEndpoint, PipelineVersion

__all__ = ["PipelineEndpoint", "PipelineVersion"]
