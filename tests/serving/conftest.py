"""Fixtures of the serving tests: workspaces whose endpoints are always stopped after."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlws import Workspace
from jupyter_mlws.serving import Endpoint

from .support import register_linear, stop_all, write_source


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path / "project")
    yield workspace
    stop_all(workspace)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return write_source(tmp_path / "src")


@pytest.fixture(scope="module")
def shared_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path_factory.mktemp("shared") / "project")
    yield workspace
    stop_all(workspace)


@pytest.fixture(scope="module")
def service(shared_ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Endpoint:
    """One endpoint with 2 workers, a 1 s timeout and a 4 KiB body limit."""
    folder = tmp_path_factory.mktemp("service")
    register_linear(shared_ws, "linear", 0.5, folder / "model")
    return shared_ws.deploy(
        "svc",
        ["linear"],
        source_dir=write_source(folder / "src"),
        workers=2,
        timeout_s=1.0,
        max_body_bytes=4096,
    )
