"""``mlws endpoint …`` as a user runs it: real processes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlws import Workspace

from .support import FAILING_INIT_PY, register_linear, stop_all, write_source

MLWS = [sys.executable, "-m", "jupyter_mlws.cli"]


def mlws(project: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLWS_WORKSPACE": str(project / ".mlws")}
    proc = subprocess.run(
        [*MLWS, *args], cwd=project, env=env, capture_output=True, text=True, timeout=180
    )
    assert proc.returncode == code, proc.stdout + proc.stderr
    return proc


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    project = tmp_path / "project"
    ws = Workspace.init(project)
    register_linear(ws, "linear", 0.5, tmp_path / "m")
    write_source(project / "serving")
    yield project
    stop_all(ws)


def test_deploy_invoke_show_and_delete(project: Path) -> None:
    deployed = json.loads(
        mlws(
            project,
            "endpoint",
            "deploy",
            "ep",
            "-m",
            "linear:1",
            "--source-dir",
            "serving",
            "--workers",
            "2",
            "--json",
        ).stdout
    )
    assert deployed["state"] == "Healthy" and deployed["workers"] == 2
    key = deployed["keys"]["primary"]
    scored = mlws(project, "endpoint", "invoke", "ep", '{"data": [[1, 1, 1]]}', "--key", key)
    assert json.loads(scored.stdout) == {"scores": [6.5], "script": "v1"}
    refused = mlws(project, "endpoint", "invoke", "ep", '{"data": [[1, 1, 1]]}', code=1)
    assert refused.stderr.count("\n") == 1 and "needs a key" in refused.stderr
    failing = mlws(project, "endpoint", "invoke", "ep", '{"raise": "no"}', "--key", key, code=1)
    assert "answered 500: run() raised ValueError: no (error id" in failing.stderr
    assert "Traceback" not in failing.stderr

    listed = mlws(project, "endpoint", "list").stdout
    assert "ep" in listed and "Healthy" in listed and "linear:1" in listed
    shown = json.loads(mlws(project, "endpoint", "show", "ep", "--json").stdout)
    assert shown["status"]["workers"] and len(shown["status"]["workers"]) == 2
    assert set(shown["metrics"]) == {"total", "last_5_min"}
    assert "requests (all)" in mlws(project, "endpoint", "show", "ep").stdout
    assert "listening on" in mlws(project, "endpoint", "logs", "ep").stdout
    assert mlws(project, "model", "delete", "linear:1", code=1).stderr.startswith(
        "mlws: error: model linear:1 is deployed to endpoint(s) ep"
    )
    mlws(project, "endpoint", "delete", "ep")
    assert "(none)" in mlws(project, "endpoint", "list").stdout
    mlws(project, "model", "delete", "linear:1")


def test_deploy_with_a_failing_init_shows_its_traceback_then_one_error_line(
    project: Path,
) -> None:
    write_source(project / "bad", FAILING_INIT_PY)
    failed = mlws(
        project, "endpoint", "deploy", "bad", "-m", "linear", "--source-dir", "bad", code=1
    )
    lines = failed.stderr.strip().splitlines()
    assert lines[-1] == (
        "mlws: error: endpoint 'bad' failed to start: init() of score.py raised "
        "RuntimeError: the model file is corrupt"
    )
    assert lines[0] == "Traceback (most recent call last):"
    assert "in load_weights" in failed.stderr
    assert "Failed" in mlws(project, "endpoint", "list").stdout


def test_keys_update_package_stop_and_start(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mlws(project, "endpoint", "deploy", "ep", "-m", "linear", "--source-dir", "serving")
    keys = mlws(project, "endpoint", "keys", "ep").stdout
    assert "primary" in keys and "secondary" in keys
    new_key = json.loads(
        mlws(project, "endpoint", "keys", "ep", "--regenerate", "secondary", "--json").stdout
    )["key"]
    assert len(new_key) > 30 and new_key not in keys
    monkeypatch.setenv("MLWS_ENDPOINT_KEY", new_key)
    answer = mlws(project, "endpoint", "invoke", "ep", '{"data": [[0, 0, 1]]}')
    assert json.loads(answer.stdout)["scores"] == [3.5]
    updated = json.loads(
        mlws(project, "endpoint", "update", "ep", "--workers", "2", "--json").stdout
    )
    assert updated["generation"] == 2 and updated["workers"] == 2
    built = mlws(project, "endpoint", "package", "ep", "--out", str(tmp_path / "ctx")).stdout
    assert "python serve.py" in built and (tmp_path / "ctx" / "Dockerfile").is_file()
    assert "Stopped" in mlws(project, "endpoint", "stop", "ep").stdout
    assert "Healthy" in mlws(project, "endpoint", "start", "ep").stdout


def test_logs_follow_ends_when_the_service_stops(project: Path) -> None:
    mlws(
        project, "endpoint", "deploy", "ep", "-m", "linear", "--source-dir", "serving", "--no-auth"
    )
    env = {**os.environ, "MLWS_WORKSPACE": str(project / ".mlws")}
    follower = subprocess.Popen(
        [*MLWS, "endpoint", "logs", "ep", "-f"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        mlws(project, "endpoint", "invoke", "ep", '{"print": "hello from score"}')
        mlws(project, "endpoint", "stop", "ep")
        out, err = follower.communicate(timeout=60)
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.communicate()
    assert follower.returncode == 0, err
    assert "score.py says hello from score" in out
    assert "stopped" in out


def test_unknown_endpoint_is_one_line(project: Path) -> None:
    shown = mlws(project, "endpoint", "show", "nope", code=1)
    assert shown.stderr == (
        "mlws: error: endpoint 'nope' does not exist (see `mlws endpoint list`)\n"
    )
