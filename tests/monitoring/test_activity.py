"""``mlws activity``: the activity log as a user reads it, over real ``mlws`` processes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from helpers import MLWS, mlws_cli

from jupyter_mlws.store.activity import os_user
from jupyter_mlws.workspace import Workspace

SECRET_VALUE = "correct-horse-battery-staple"


def _entries(cwd: Path, *args: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads(mlws_cli(cwd, "activity", "--json", *args).stdout)
    return found


def test_who_deleted_model_x(tmp_path: Path) -> None:
    mlws_cli(tmp_path, "init")
    (tmp_path / "w.bin").write_bytes(b"weights")
    ws = Workspace.open(tmp_path / ".mlws")
    ws.register_model("churn", tmp_path / "w.bin")  # through the SDK
    mlws_cli(tmp_path, "model", "register", "churn", "w.bin")
    mlws_cli(tmp_path, "model", "delete", "churn:1")

    entries = _entries(tmp_path, "--kind", "model")
    deleted = [e for e in entries if e["action"] == "delete"]
    assert [(e["name"], e["user"], e["door"]) for e in deleted] == [("churn:1", os_user(), "cli")]
    created = {(e["name"], e["door"]) for e in entries if e["action"] == "create"}
    assert created == {("churn:1", "sdk"), ("churn:2", "cli")}
    table = mlws_cli(tmp_path, "activity", "--kind", "model").stdout
    assert "delete" in table.splitlines()[1] and "churn:1" in table.splitlines()[1]


def test_filters_and_a_bad_since_in_one_line(tmp_path: Path) -> None:
    mlws_cli(tmp_path, "init")
    ws = Workspace.open(tmp_path / ".mlws")
    for name in ("a", "b", "c"):
        ws.experiment(name)
    mlws_cli(tmp_path, "experiment", "archive", "b")
    assert [e["name"] for e in _entries(tmp_path, "--limit", "2")] == ["b", "c"]
    assert [e["action"] for e in _entries(tmp_path, "--since", "1h", "--kind", "experiment")] == [
        "archive",
        "create",
        "create",
        "create",
    ]
    assert _entries(tmp_path, "--user", "somebody-else") == []
    assert len(_entries(tmp_path, "--user", os_user())) == 4

    bad = mlws_cli(tmp_path, "activity", "--since", "yesterday", check=False)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines() == [
        "mlws: error: since must be a whole number and a unit, like 90s, 15m, 1h, 2d or 1w; "
        "got 'yesterday'"
    ]
    kind = mlws_cli(tmp_path, "activity", "--kind", "models", check=False)
    assert kind.returncode == 1 and len(kind.stderr.strip().splitlines()) == 1


def test_a_secret_value_never_reaches_the_log(tmp_path: Path) -> None:
    mlws_cli(tmp_path, "init")
    for _ in range(2):  # create, then update
        proc = mlws_cli_with_input(tmp_path, SECRET_VALUE, "secret", "set", "db-password")
        assert proc.returncode == 0, proc.stderr
    mlws_cli(tmp_path, "secret", "delete", "db-password")

    entries = _entries(tmp_path, "--kind", "secret")
    assert [(e["action"], e["name"]) for e in entries] == [
        ("delete", "db-password"),
        ("update", "db-password"),
        ("create", "db-password"),
    ]
    ws = Workspace.open(tmp_path / ".mlws")
    every_row = json.dumps([a.to_dict() for a in ws.store.list_activity(limit=10_000)])
    assert "db-password" in every_row and SECRET_VALUE not in every_row
    assert SECRET_VALUE not in mlws_cli(tmp_path, "activity").stdout


def mlws_cli_with_input(cwd: Path, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLWS_WORKSPACE": str(cwd / ".mlws")}
    return subprocess.run(
        [*MLWS, *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=600
    )
