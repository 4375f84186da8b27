"""Turning the v1 compatibility layer on: the import alias and what child processes inherit."""

from __future__ import annotations

import importlib.metadata
import os
import sys
from pathlib import Path

from jupyter_mlws.azureml import _finder

ENV_FLAG = "MLWS_AZUREML"
# A folder holding a tiny ``azureml`` package; on PYTHONPATH it turns the layer on in any
# Python process that imports azureml (a submitted script, a score.py, a kernel).
SHIM_DIR = str(Path(__file__).resolve().parent / "shim")
REAL_DISTRIBUTIONS = ("azureml-core",)

_state = {"active": False, "refused": False}


def real_sdk_installed() -> str | None:
    """The version of a real ``azureml-core`` on this interpreter, if any."""
    for name in REAL_DISTRIBUTIONS:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def install() -> bool:
    """Install the alias (once); False, with a message, when the real SDK is installed."""
    if _state["active"]:
        _export_to_children()
        return True
    version = real_sdk_installed()
    if version is not None:
        if not _state["refused"]:
            _state["refused"] = True
            print(
                f"[mlws azureml] azureml-core {version} is installed: the jupyter-mlws v1 "
                "compatibility layer stays off and `azureml` is the real SDK",
                file=sys.stderr,
            )
        return False
    _finder.install()
    _export_to_children()
    _state["active"] = True
    return True


def is_active() -> bool:
    return _state["active"]


def _export_to_children() -> None:
    """Processes this one starts (runs, endpoints, kernels) get the layer too."""
    os.environ[ENV_FLAG] = "1"
    parts = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if SHIM_DIR not in parts:
        os.environ["PYTHONPATH"] = os.pathsep.join([SHIM_DIR, *parts])
