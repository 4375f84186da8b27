"""`mlws environment …` and `--environment` on submit, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import mlws_cli

mlws = mlws_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    mlws(tmp_path, "init")
    (tmp_path / "requirements.txt").write_text("six==1.16.0\n")
    (tmp_path / "train.py").write_text(
        "import os, six\nprint('six', six.__version__, os.environ['OMP_NUM_THREADS'])\n"
    )
    return tmp_path


def test_create_submit_show_list_dockerfile(project: Path) -> None:
    created = json.loads(
        mlws(
            project,
            "environment",
            "create",
            "sk",
            "-r",
            "requirements.txt",
            "--env",
            "OMP_NUM_THREADS=2",
            "--json",
        ).stdout
    )
    assert (created["name"], created["version"], created["state"]) == ("sk", 1, "NotBuilt")
    again = json.loads(
        mlws(
            project,
            "environment",
            "create",
            "sk",
            "-r",
            "requirements.txt",
            "--env",
            "OMP_NUM_THREADS=2",
            "--json",
        ).stdout
    )
    assert again["version"] == 1  # same definition, same version

    out = mlws(project, "run", "submit", "-e", "exp", "--environment", "sk", "--wait", "train.py")
    assert "six 1.16.0 2" in out.stdout
    assert "building environment sk:1" in out.stdout  # the build streamed into the run's log
    shown = mlws(project, "run", "show", "exp:1").stdout
    assert "environment" in shown and "sk:1 (lock " in shown

    listed = json.loads(mlws(project, "environment", "list", "--json").stdout)
    assert [(e["name"], e["version"], e["state"]) for e in listed] == [("sk", 1, "Ready")]
    detail = json.loads(mlws(project, "environment", "show", "sk:1", "--json").stdout)
    assert "six==1.16.0" in detail["lock"].splitlines() and detail["cached_here"]

    mlws(project, "environment", "dockerfile", "sk", "-o", "ctx")
    dockerfile = (project / "ctx" / "Dockerfile").read_text()
    assert "--no-deps" in dockerfile and 'ENV OMP_NUM_THREADS="2"' in dockerfile
    assert "six==1.16.0" in (project / "ctx" / "requirements.txt").read_text().splitlines()
    again = mlws(project, "environment", "dockerfile", "sk", "-o", "ctx", check=False)
    assert again.returncode != 0 and "--force" in again.stderr, again.stderr
    mlws(project, "environment", "dockerfile", "sk", "-o", "ctx", "--force")

    mlws(project, "environment", "delete", "sk:1")
    assert json.loads(mlws(project, "environment", "list", "--json").stdout) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["environment", "create", "sk", "-r", "missing.txt"], "does not exist"),
        (
            ["environment", "create", "sk", "-r", "requirements.txt", "--python", "3.2"],
            "python 3.2 is not on this machine; available: ",
        ),
        (["environment", "create", "sk", "-r", "requirements.txt", "--env", "1X=a"], "1X"),
        (["environment", "show", "nope"], "environment 'nope' does not exist"),
        (["environment", "prune"], "--days"),
        (["run", "submit", "--environment", "nope", "train.py"], "does not exist"),
    ],
)
def test_bad_input_is_one_line(project: Path, args: list[str], message: str) -> None:
    proc = mlws(project, *args, check=False)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
