"""Fixtures of the registry tests: a real workspace (SQLite file + blob folder)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlws import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path / "project")
    yield workspace


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "files" / "model.bin"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"weights-v1")
    return path


@pytest.fixture
def model_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "files" / "bundle"
    (folder / "sub").mkdir(parents=True)
    (folder / "weights.bin").write_bytes(b"\x00\x01" * 1000)
    (folder / "sub" / "vocab.txt").write_text("a\nb\n")
    return folder
