"""``azureml.pipeline.core.builder``, where v1 keeps PipelineData, StepSequence:
the same objects as ``azureml.pipeline.core``'s."""

from jupyter_mlws.azureml.pipeline.core import PipelineData, StepSequence

__all__ = ["PipelineData", "StepSequence"]
