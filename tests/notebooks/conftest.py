"""Notebook-run fixtures: notebooks written with nbformat, and a workspace whose local
agent (and its warm kernels) is stopped after each test."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:  # so that tests here can import nb_helpers
    sys.path.insert(0, _HERE)

from nb_helpers import write_notebook  # noqa: E402

from jupyter_mlws import Workspace  # noqa: E402
from jupyter_mlws.compute import local_agent  # noqa: E402


@pytest.fixture
def notebook(tmp_path: Path) -> Callable[..., Path]:
    def make(parameters: str | None, *cells: str, name: str = "nb.ipynb") -> Path:
        return write_notebook(tmp_path / "src" / name, parameters, cells)

    return make


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """Cold kernels unless a test asks for the warm pool (it costs a kernel per test)."""
    monkeypatch.setenv(local_agent.ENV_POOL_SIZE, "0")
    workspace = Workspace.init(tmp_path / "proj")
    yield workspace
    local_agent.stop(workspace)
