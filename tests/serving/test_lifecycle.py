"""Deploying, failing fast, updating without dropping requests, dying, restarting, deleting."""

from __future__ import annotations

import os
import signal
import socket
import threading
from pathlib import Path

import httpx
import pytest

from jupyter_mlws import Workspace
from jupyter_mlws.entities import EndpointState
from jupyter_mlws.exceptions import ResourceConflictError, ResourceNotFoundError
from jupyter_mlws.serving import EndpointStartError, EndpointUnavailableError, PortInUseError
from jupyter_mlws.serving.layout import EndpointLayout
from jupyter_mlws.serving.liveness import process_alive

from .support import FAILING_INIT_PY, SCORE_PY, client, register_linear, wait_until, write_source


def test_deploy_runs_a_detached_service_recorded_in_the_workspace(
    ws: Workspace, source: Path, tmp_path: Path
) -> None:
    register_linear(ws, "linear", 1.0, tmp_path / "m")
    ep = ws.deploy("ep", ["linear"], source_dir=source)
    record = ep.record
    assert record.state is EndpointState.HEALTHY
    assert record.models == ("linear:1",) and record.generation == 1
    assert record.port and record.pid and process_alive(record.pid, record.pid_started)
    assert os.getpgid(record.pid) == record.pid  # its own session, not the test's
    assert ep.invoke({"data": [[1, 0, 0]]}) == {"scores": [2.0], "script": "v1"}
    assert "init: loading ['model.npz']" in ep.get_logs()
    assert [r.name for r in ws.endpoints()] == ["ep"]


def test_init_failure_fails_fast_with_its_traceback(ws: Workspace, tmp_path: Path) -> None:
    register_linear(ws, "linear", 1.0, tmp_path / "m")
    bad = write_source(tmp_path / "bad", FAILING_INIT_PY)
    with pytest.raises(EndpointStartError) as info:
        ws.deploy("broken", ["linear"], source_dir=bad, wait_s=60)
    error = info.value
    assert error.message == (
        "endpoint 'broken' failed to start: init() of score.py raised RuntimeError: "
        "the model file is corrupt"
    )
    assert "in load_weights" in error.traceback  # the user's own frames
    assert 'raise RuntimeError("the model file is corrupt")' in error.traceback
    assert "jupyter_mlws" not in error.traceback  # not ours
    assert "the model file is corrupt" in str(error)
    record = ws.store.get_endpoint("broken")
    assert record.state is EndpointState.FAILED and record.pid is None
    assert record.error is not None and "load_weights" in record.error["traceback"]


def test_deploying_again_over_a_failed_endpoint_replaces_it(
    ws: Workspace, source: Path, tmp_path: Path
) -> None:
    register_linear(ws, "linear", 1.0, tmp_path / "m")
    bad = write_source(tmp_path / "bad", FAILING_INIT_PY)
    with pytest.raises(EndpointStartError):
        ws.deploy("ep", ["linear"], source_dir=bad)
    ep = ws.deploy("ep", ["linear"], source_dir=source)
    assert ep.state is EndpointState.HEALTHY


def test_port_in_use_is_a_clear_error(ws: Workspace, source: Path, tmp_path: Path) -> None:
    register_linear(ws, "linear", 1.0, tmp_path / "m")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError) as info:
            ws.deploy("ep", ["linear"], source_dir=source, port=port)
    assert info.value.message.startswith(f"port {port} on 127.0.0.1 is already in use")
    assert ws.store.list_endpoints() == []


def test_update_switches_versions_without_dropping_a_request(ws: Workspace, tmp_path: Path) -> None:
    register_linear(ws, "linear", 0.0, tmp_path / "m1")
    register_linear(ws, "linear", 100.0, tmp_path / "m2")
    ep = ws.deploy("ep", ["linear:1"], source_dir=write_source(tmp_path / "s1"), workers=2)
    key = ep.get_keys()["primary"]
    answers: list[int | str] = []
    stop = threading.Event()

    def hammer() -> None:
        with client(ep, key) as http:  # keep-alive connections, as a real client has
            while not stop.is_set() and len(answers) < 100_000:
                try:
                    response = http.post("/score", json={"data": [[1, 0, 0]]})
                    answers.append(
                        response.json()["scores"][0]
                        if response.status_code == 200
                        else response.status_code
                    )
                except httpx.HTTPError as exc:
                    answers.append(type(exc).__name__)

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: len(answers) > 50)
        new_script = SCORE_PY.replace('VERSION = "v1"', 'VERSION = "v2"')
        ep.update(models=["linear:2"], source_dir=write_source(tmp_path / "s2", new_script))
        seen = len(answers)
        wait_until(lambda: len(answers) > seen + 50)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    failures = [a for a in answers if not isinstance(a, float)]
    assert failures == []
    assert answers[0] == 1.0 and answers[-1] == 101.0
    assert ep.invoke({"data": [[0, 0, 0]]}) == {"scores": [100.0], "script": "v2"}
    record = ep.refresh()
    assert record.generation == 2 and record.models == ("linear:2",)
    pid_before = record.pid
    assert pid_before == ep.status()["pid"]  # same supervisor, same socket


def test_a_failing_update_keeps_the_old_version_serving(ws: Workspace, tmp_path: Path) -> None:
    register_linear(ws, "linear", 0.0, tmp_path / "m1")
    ep = ws.deploy("ep", ["linear"], source_dir=write_source(tmp_path / "s1"))
    with pytest.raises(EndpointStartError) as info:
        ep.update(source_dir=write_source(tmp_path / "bad", FAILING_INIT_PY))
    assert "the model file is corrupt" in info.value.message
    assert ep.invoke({"data": [[1, 0, 0]]}) == {"scores": [1.0], "script": "v1"}
    record = ep.refresh()
    assert record.state is EndpointState.HEALTHY and record.generation == 1
    assert record.error is not None and "corrupt" in record.error["message"]
    ep.update(workers=2)  # and it can still be updated afterwards
    wait_until(lambda: len(ep.status()["workers"]) == 2)
    assert ep.invoke({"data": [[0, 1, 0]]}) == {"scores": [2.0], "script": "v1"}


def test_a_dead_endpoint_is_shown_as_dead_and_starts_again(
    ws: Workspace, source: Path, tmp_path: Path
) -> None:
    register_linear(ws, "linear", 0.0, tmp_path / "m")
    ep = ws.deploy("ep", ["linear"], source_dir=source, workers=2)
    port, pid = ep.record.port, ep.record.pid
    assert pid is not None
    os.killpg(pid, signal.SIGKILL)  # as a machine restart would
    wait_until(lambda: not process_alive(pid, None))
    assert [r.state for r in ws.endpoints()] == [EndpointState.DEAD]
    with pytest.raises(EndpointUnavailableError):
        ep.invoke({"data": [[1, 0, 0]]})
    ep.start()
    assert ep.state is EndpointState.HEALTHY and ep.record.port == port
    assert ep.invoke({"data": [[1, 0, 0]]}) == {"scores": [1.0], "script": "v1"}


def test_stop_then_start(ws: Workspace, source: Path, tmp_path: Path) -> None:
    register_linear(ws, "linear", 0.0, tmp_path / "m")
    ep = ws.deploy("ep", ["linear"], source_dir=source)
    pid = ep.record.pid
    ep.stop()
    assert ep.state is EndpointState.STOPPED and not process_alive(pid, None)
    ep.start()
    assert ep.invoke({"data": [[0, 0, 1]]}) == {"scores": [3.0], "script": "v1"}


def test_delete_stops_every_process_and_frees_the_model(
    ws: Workspace, source: Path, tmp_path: Path
) -> None:
    register_linear(ws, "linear", 0.0, tmp_path / "m")
    ep = ws.deploy("ep", ["linear"], source_dir=source, workers=2)
    pids = [ep.record.pid, *ep.status()["workers"]]
    with pytest.raises(ResourceConflictError) as info:
        ws.delete_model("linear:1")
    assert "deployed to endpoint(s) ep" in info.value.message
    ep.delete()
    assert not any(process_alive(pid, None) for pid in pids)
    assert not EndpointLayout.of(ws.root, "ep").dir.exists()
    with pytest.raises(ResourceNotFoundError):
        ws.endpoint("ep")
    ws.delete_model("linear:1")


def test_several_models_get_one_folder_each(ws: Workspace, tmp_path: Path) -> None:
    register_linear(ws, "first", 0.0, tmp_path / "m1")
    register_linear(ws, "second", 0.0, tmp_path / "m2")
    script = (
        "import os\n"
        "def init():\n"
        "    global found\n"
        "    root = os.environ['MLWS_MODEL_DIR']\n"
        "    found = sorted(os.path.relpath(os.path.join(d, f), root)\n"
        "                   for d, _, fs in os.walk(root) for f in fs)\n"
        "def run(data):\n"
        "    return found\n"
    )
    ep = ws.deploy("ep", ["first", "second:1"], source_dir=write_source(tmp_path / "s", script))
    assert ep.invoke({}) == ["first/model.npz", "second/model.npz"]
    assert ep.record.models == ("first:1", "second:1")
