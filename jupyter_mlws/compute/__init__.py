"""Compute: run configs, submission, targets and the job runner."""

from jupyter_mlws.compute.notebook_config import NotebookRunConfig
from jupyter_mlws.compute.script_config import ScriptRunConfig
from jupyter_mlws.compute.targets import get_target

__all__ = ["NotebookRunConfig", "ScriptRunConfig", "get_target"]
