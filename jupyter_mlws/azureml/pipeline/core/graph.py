"""``azureml.pipeline.core.graph``, where v1 keeps PipelineParameter, PipelineData and
PortDataReference:
the same objects as ``azureml.pipeline.core``'s."""

from jupyter_mlws.azureml.pipeline.core import PipelineData, PipelineParameter, PortDataReference

__all__ = ["PipelineData", "PipelineParameter", "PortDataReference"]
