"""ML pipelines: script and notebook steps joined by their data, with reuse that says
why a step ran, published versions behind endpoints, and schedules."""

from jupyter_mlws.pipeline.data import PipelineData, PipelineParameter
from jupyter_mlws.pipeline.pipeline import Pipeline
from jupyter_mlws.pipeline.run import PipelineRun, StepRun
from jupyter_mlws.pipeline.schedule import Schedule, ScheduleRecurrence
from jupyter_mlws.pipeline.steps import NotebookStep, PythonScriptStep

__all__ = [
    "NotebookStep",
    "Pipeline",
    "PipelineData",
    "PipelineParameter",
    "PipelineRun",
    "PythonScriptStep",
    "Schedule",
    "ScheduleRecurrence",
    "StepRun",
]
