"""jupyter-mlws: a machine-learning workspace that lives inside Jupyter.

``from jupyter_mlws import Workspace, Run, ScriptRunConfig, start_run``
"""

from __future__ import annotations

from jupyter_mlws.compute import ScriptRunConfig
from jupyter_mlws.tracking import Experiment, Run, start_run
from jupyter_mlws.workspace import Workspace

__version__ = "0.1.0"
__all__ = ["Experiment", "Run", "ScriptRunConfig", "Workspace", "start_run"]
