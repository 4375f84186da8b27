import subprocess
from pathlib import Path

import pytest

from jupyter_mlws import Workspace
from jupyter_mlws.tracking.git import git_properties


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.email", "a@b.c")
    git(folder, "config", "user.name", "a")
    git(folder, "remote", "add", "origin", "https://alice:t0ken@example.com/team/proj.git")
    (folder / "train.py").write_text("print(1)\n")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "first")
    return folder


def test_git_state_is_recorded_without_credentials(repo: Path, tmp_path: Path) -> None:
    props = git_properties(repo)
    assert props["mlws.git.branch"] == "main"
    assert len(props["mlws.git.commit"]) == 40
    assert props["mlws.git.dirty"] == "false"
    assert props["mlws.git.repository_uri"] == "https://example.com/team/proj.git"
    (repo / "train.py").write_text("print(2)\n")
    assert git_properties(repo)["mlws.git.dirty"] == "true"


def test_outside_a_repository_records_nothing(tmp_path: Path) -> None:
    assert git_properties(tmp_path) == {}


def test_submitted_run_carries_git_properties(repo: Path, tmp_path: Path) -> None:
    from jupyter_mlws import ScriptRunConfig

    ws = Workspace.init(tmp_path / "proj")
    run = ws.experiment("e").submit(ScriptRunConfig(repo, "train.py"))
    run.wait_for_completion()
    props = run.get_properties()
    assert props["mlws.git.branch"] == "main"
    assert "t0ken" not in str(props)
