"""``mlws model …`` as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MLWS = [sys.executable, "-m", "jupyter_mlws.cli"]


def mlws(project: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLWS_WORKSPACE": str(project / ".mlws")}
    proc = subprocess.run(
        [*MLWS, *args], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == code, proc.stdout + proc.stderr
    return proc


def test_register_list_show_alias_download_delete(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    mlws(project, "init")
    (project / "model.pkl").write_bytes(b"pickle")
    first = json.loads(
        mlws(
            project,
            "model",
            "register",
            "churn",
            "model.pkl",
            "-t",
            "stage=dev",
            "-p",
            "auc=0.91",
            "--framework",
            "sklearn",
            "--json",
        ).stdout
    )
    assert first["ref"] == "churn:1" and first["tags"] == {"stage": "dev"}
    mlws(project, "model", "register", "churn", "model.pkl", "-t", "stage=prod")
    listed = json.loads(mlws(project, "model", "list", "-t", "stage=prod", "--json").stdout)
    assert [m["ref"] for m in listed] == ["churn:2"]
    assert "churn:2" in mlws(project, "model", "list", "churn").stdout
    mlws(project, "model", "alias", "churn:1", "production")
    shown = json.loads(mlws(project, "model", "show", "churn@production", "--json").stdout)
    assert shown["version"] == 1 and shown["aliases"] == ["production"]
    assert shown["properties"] == {"auc": "0.91"} and shown["files"][0]["path"] == "model.pkl"
    mlws(project, "model", "download", "churn@production", "-o", str(tmp_path / "dl"))
    assert (tmp_path / "dl" / "model.pkl").read_bytes() == b"pickle"
    again = mlws(project, "model", "download", "churn:1", "-o", str(tmp_path / "dl"), code=1)
    assert again.stderr.startswith("mlws: error: ") and again.stderr.count("\n") == 1
    unversioned = mlws(project, "model", "delete", "churn", code=2)
    assert "NAME:VERSION" in unversioned.stderr
    mlws(project, "model", "delete", "churn:2")
    missing = mlws(project, "model", "show", "churn:2", code=1)
    assert missing.stderr == ("mlws: error: model 'churn' has no version 2 (versions go up to 2)\n")
    bad = mlws(project, "model", "register", "bad name", "model.pkl", code=1)
    assert "invalid model name 'bad name'" in bad.stderr and "Traceback" not in bad.stderr
