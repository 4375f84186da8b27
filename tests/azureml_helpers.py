"""Helpers of the Azure ML v1 compatibility tests (importable: tests/ is on sys.path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat

PY = sys.executable


def clean_env(**extra: str) -> dict[str, str]:
    """This test's environment without the layer exported to it."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MLWS_AZUREML")}
    env.update(extra)
    return env


def run_python(code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -W error -c code`` in a clean environment (no layer inherited)."""
    return subprocess.run(
        [PY, "-W", "error", "-c", code],
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=240,
    )


def outputs_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out["text"])
            elif "data" in out and "text/plain" in out["data"]:
                parts.append(out["data"]["text/plain"])
    return "\n".join(parts)
