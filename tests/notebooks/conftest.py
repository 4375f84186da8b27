"""Notebook-run fixtures: notebooks written with nbformat, and a workspace whose local
agent (and its warm kernels) is stopped after each test."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


from jupyter_mlws import Workspace  # noqa: E402
from jupyter_mlws.compute import local_agent  # noqa: E402


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """Cold kernels unless a test asks for the warm pool (it costs a kernel per test)."""
    monkeypatch.setenv(local_agent.ENV_POOL_SIZE, "0")
    workspace = Workspace.init(tmp_path / "proj")
    yield workspace
    local_agent.stop(workspace)
