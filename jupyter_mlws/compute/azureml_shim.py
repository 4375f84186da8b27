"""Submitted code that imports ``azureml`` runs on the v1 compatibility layer (issue 18).

The runner puts the layer's shim folder (a one-file ``azureml`` package) first on the
child's ``PYTHONPATH`` when ``MLWS_AZUREML=1`` or when the run's source imports
``azureml``; the first ``import azureml…`` in the script then turns the layer on. No
``sitecustomize`` or ``.pth`` file, nothing installed, and a real azureml-core wins (the
shim steps aside). The folder is found by path, so compute does not import the layer.
``MLWS_AZUREML=0`` turns the detection off.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

ENV_FLAG = "MLWS_AZUREML"
SHIM_DIR = str(Path(__file__).resolve().parents[1] / "azureml" / "shim")
_IMPORTS = re.compile(rb"^[ \t]*(?:from|import)[ \t]+azureml\b", re.MULTILINE)
# A notebook's cells are JSON strings: a source line starts with a quote.
_NOTEBOOK_IMPORTS = re.compile(rb'^[ \t]*"[ \t]*(?:from|import)[ \t]+azureml\b', re.MULTILINE)
PATTERNS = {".py": _IMPORTS, ".ipynb": _NOTEBOOK_IMPORTS}
MAX_FILES = 500
MAX_BYTES = 1024 * 1024


def child_env(env: Mapping[str, str], workdir: Path) -> dict[str, str]:
    """``env`` with the shim on PYTHONPATH when the layer is wanted."""
    out = dict(env)
    flag = out.get(ENV_FLAG, "")
    if flag == "0" or not (flag == "1" or imports_azureml(workdir)):
        return out
    parts = [p for p in out.get("PYTHONPATH", "").split(os.pathsep) if p and p != SHIM_DIR]
    out["PYTHONPATH"] = os.pathsep.join([SHIM_DIR, *parts])
    out[ENV_FLAG] = "1"
    return out


def imports_azureml(workdir: Path) -> bool:
    """Does a script or notebook of the snapshot import azureml (checked up to a bound)?"""
    files = (p for p in sorted(workdir.rglob("*")) if p.suffix in PATTERNS)
    for count, path in enumerate(files):
        if count >= MAX_FILES:
            return False
        try:
            if path.stat().st_size <= MAX_BYTES and PATTERNS[path.suffix].search(path.read_bytes()):
                return True
        except OSError:
            continue
    return False
