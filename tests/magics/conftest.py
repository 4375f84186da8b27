"""Executing notebooks on a real ipykernel, in the test's isolated workspace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from jupyter_mlws import Workspace

Cells = list[str]
Execute = Callable[..., nbformat.NotebookNode]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The folder of the notebook (a user's project), with a data file in it."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "data.txt").write_text("hello from the project\n")
    return folder


@pytest.fixture
def execute(project: Path) -> Execute:
    """Run cells in a fresh kernel whose working folder is the project (errors allowed)."""

    def run(cells: Cells, *, path: Path = project, timeout: int = 120) -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(path)}},
        )
        client.execute()
        return nb

    return run


@pytest.fixture
def ws() -> Workspace:
    return Workspace.current()  # the isolated MLWS_WORKSPACE the kernels use too
