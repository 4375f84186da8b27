"""Tracking: workspaces, experiments and runs (imports cleanly in a bare kernel)."""

from jupyter_mlws.tracking.experiment import Experiment
from jupyter_mlws.tracking.run import Run, start_run
from jupyter_mlws.tracking.workspace import Workspace

__all__ = ["Experiment", "Run", "Workspace", "start_run"]
