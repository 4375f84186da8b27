"""``azureml.pipeline.core.run``, where v1 keeps PipelineRun, StepRun:
the same objects as ``azureml.pipeline.core``'s."""

from jupyter_mlws.azureml.pipeline.core import PipelineRun, StepRun

__all__ = ["PipelineRun", "StepRun"]
