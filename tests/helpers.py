"""Helpers shared by test modules (importable as `helpers`: tests/ is on sys.path)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import nbformat


def write_notebook(path: Path, parameters: str | None, cells: Sequence[str]) -> Path:
    """A python3 notebook: an optional ``parameters``-tagged cell, then ``cells``."""
    nb = nbformat.v4.new_notebook()
    if parameters is not None:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells += [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def wait_until(predicate: Callable[[], object], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def gone(pid: int) -> bool:
    """The process has exited (a zombie waiting for its parent counts as gone)."""
    import psutil

    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


MLWS = [sys.executable, "-m", "jupyter_mlws.cli"]


def mlws_cli(
    cwd: Path, *args: str, check: bool = True, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``mlws ARGS`` as a user runs it, in ``cwd``'s workspace (``cwd/.mlws``)."""
    env = {**os.environ, "MLWS_WORKSPACE": str(cwd / ".mlws")}
    proc = subprocess.run(
        [*MLWS, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc
