"""``azureml.pipeline.core``: pipelines under v1's names.

Native pipelines do not exist yet: every name imports, and using one raises
``NotAvailableError`` (to be mapped onto the native pipeline capability when it lands).
"""

from jupyter_mlws.azureml._unavailable import placeholder

FEATURE = "pipelines (azureml.pipeline)"

Pipeline = placeholder("Pipeline", FEATURE, __name__)
PipelineData = placeholder("PipelineData", FEATURE, __name__)
PipelineParameter = placeholder("PipelineParameter", FEATURE, __name__)
PipelineRun = placeholder("PipelineRun", FEATURE, __name__)
PipelineEndpoint = placeholder("PipelineEndpoint", FEATURE, __name__)
PublishedPipeline = placeholder("PublishedPipeline", FEATURE, __name__)
StepSequence = placeholder("StepSequence", FEATURE, __name__)
Schedule = placeholder("Schedule", FEATURE, __name__)
ScheduleRecurrence = placeholder("ScheduleRecurrence", FEATURE, __name__)
