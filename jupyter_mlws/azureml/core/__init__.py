"""``azureml.core``: the v1 names most code imports from here."""

from __future__ import annotations

import importlib.metadata
from typing import Any

from jupyter_mlws.azureml._notice import say_once
from jupyter_mlws.azureml.core.compute import ComputeTarget
from jupyter_mlws.azureml.core.conda_dependencies import CondaDependencies
from jupyter_mlws.azureml.core.environment import Environment
from jupyter_mlws.azureml.core.experiment import Experiment
from jupyter_mlws.azureml.core.model import InferenceConfig, Model
from jupyter_mlws.azureml.core.run import Run
from jupyter_mlws.azureml.core.runconfig import RunConfiguration
from jupyter_mlws.azureml.core.script_run_config import ScriptRunConfig
from jupyter_mlws.azureml.core.workspace import Workspace
from jupyter_mlws.azureml.data import Dataset, Datastore

# The v1 release whose surface this layer follows, and the jupyter-mlws behind it.
VERSION = f"1.62.0+mlws.{importlib.metadata.version('jupyter-mlws')}"


def set_diagnostics_collection(send_diagnostics: bool = True, **kwargs: Any) -> None:
    """v1 sent telemetry to Microsoft; nothing leaves this machine here."""
    say_once("diagnostics", "set_diagnostics_collection(): nothing is sent anywhere")


__all__ = [
    "VERSION",
    "ComputeTarget",
    "CondaDependencies",
    "Dataset",
    "Datastore",
    "Environment",
    "Experiment",
    "InferenceConfig",
    "Model",
    "Run",
    "RunConfiguration",
    "ScriptRunConfig",
    "Workspace",
    "set_diagnostics_collection",
]
