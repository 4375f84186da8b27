"""Compute: run configs, submission, targets and the job runner."""

from jupyter_mlws.compute.script_config import ScriptRunConfig
from jupyter_mlws.compute.targets import get_target

__all__ = ["ScriptRunConfig", "get_target"]
