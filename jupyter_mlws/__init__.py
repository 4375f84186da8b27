"""jupyter-mlws: a machine-learning workspace that lives inside Jupyter.

``from jupyter_mlws import Workspace, Run, ScriptRunConfig, NotebookRunConfig, start_run``
"""

from __future__ import annotations

from typing import Any

import jupyter_mlws.monitoring  # noqa: F401  (registers the interactive runs' sampler)
from jupyter_mlws.compute import NotebookRunConfig, ScriptRunConfig
from jupyter_mlws.environments import CondaDependencies, Environment
from jupyter_mlws.tracking import Experiment, Run, start_run
from jupyter_mlws.workspace import Workspace

__version__ = "0.1.0"
__all__ = [
    "CondaDependencies",
    "Dataset",
    "Datastore",
    "Environment",
    "Experiment",
    "NotebookRunConfig",
    "OutputFileDatasetConfig",
    "Run",
    "ScriptRunConfig",
    "Workspace",
    "start_run",
]


_DATA_NAMES = ("Dataset", "Datastore", "OutputFileDatasetConfig")


def __getattr__(name: str) -> Any:
    # The data front (datasets, datastores) is imported on first use only.
    if name in _DATA_NAMES:
        import jupyter_mlws.data as data

        return getattr(data, name)
    raise AttributeError(f"module 'jupyter_mlws' has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext jupyter_mlws``: the ``%%run`` and ``%mlws`` magics and live widgets."""
    from jupyter_mlws.magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from jupyter_mlws.magics import unload_ipython_extension as unload

    unload(ipython)
