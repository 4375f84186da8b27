"""Fixtures for pipeline tests: a workspace and a source folder of trivial step scripts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_helpers import PREP, TRAIN, write

from jupyter_mlws import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    write(folder, "prep.py", PREP)
    write(folder, "train.py", TRAIN)
    return folder
