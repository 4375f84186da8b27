"""v1 code in the test's isolated workspace: the opt-in in this process (restored after
each test), v1 scripts in subprocesses and v1 notebooks on real kernels."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import nbformat
import pytest
from azureml_helpers import clean_env
from nbclient import NotebookClient


@pytest.fixture
def v1(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The opt-in, as a notebook's first cell does it; what it exports for child
    processes (MLWS_AZUREML, PYTHONPATH) is put back after the test."""
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("MLWS_AZUREML", "")
    import jupyter_mlws.azureml
    from jupyter_mlws.azureml import _notice

    jupyter_mlws.azureml.install()
    _notice._said.clear()  # each test is a fresh session for what is said once
    yield jupyter_mlws.azureml


Notebook = Callable[[Path], nbformat.NotebookNode]


@pytest.fixture
def run_notebook() -> Notebook:
    """Execute a notebook file on a real kernel in its folder; a failing cell fails the test."""

    def execute(path: Path) -> nbformat.NotebookNode:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=240,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute(env=clean_env())
        return nb

    return execute
