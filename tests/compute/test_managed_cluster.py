"""The managed Dask cluster, driven through the CLI as a user would."""

from __future__ import annotations

import io
import json
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from helpers import gone, wait_until

from jupyter_mlws import Run, Workspace
from jupyter_mlws.cli import invoke
from jupyter_mlws.cli.context import CliContext
from jupyter_mlws.cli.output import Output
from jupyter_mlws.compute.dask_cluster import stop_cluster
from jupyter_mlws.compute.dask_target import client_for, close_clients
from jupyter_mlws.entities import RunStatus

pytestmark = pytest.mark.timeout(900)  # a cluster start on a loaded 2-core machine


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    workspace = Workspace.init(tmp_path / "proj")
    monkeypatch.setenv("MLWS_WORKSPACE", str(workspace.root))
    yield workspace
    close_clients()
    for target in workspace.store.list_targets():
        pid = int(target["state"].get("pid") or 0)
        stop_cluster(workspace, target["name"], timeout=120)
        if pid:
            wait_until(lambda pid=pid: gone(pid), timeout=120)


def mlws(*args: str) -> tuple[int, Any]:
    stream = io.StringIO()
    code = invoke(["--json", *args], obj=CliContext(output=Output(stream)))
    text = stream.getvalue()
    return code, json.loads(text) if text.strip() else None


def workers(address: str) -> int:
    return len(client_for(address).scheduler_info(n_workers=-1)["workers"])


def test_managed_cluster_lifecycle_queue_until_start_and_adaptive_scaling(
    ws: Workspace,
    notebook: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    code, created = mlws(
        "compute",
        "create",
        "cpu",
        "--type",
        "dask",
        "--min-nodes",
        "0",
        "--max-nodes",
        "2",
        "--idle-seconds",
        "2",
        "--resources",
        "slot=1",
    )
    assert code == 0 and created["state"]["status"] == "Stopped"
    assert created["config"]["resources"] == {"slot": 1.0}
    # the cell holds until its gate file exists (no gate: at once), so that two runs are
    # Running together however slowly the machine gets there
    nb = notebook(
        "gate = ''",
        "import os, time\nwhile gate and not os.path.exists(gate):\n    time.sleep(0.05)",
    )

    # Submitted while stopped: the run waits in Queued, and the CLI says why.
    code, queued = mlws("notebook", "submit", str(nb), "-c", "cpu")
    assert code == 0 and queued["status"] == "Queued"
    assert "waits in Queued until `mlws compute start cpu`" in capsys.readouterr().err

    code, started = mlws("compute", "start", "cpu")
    assert code == 0 and started["state"]["status"] == "Running"
    address = started["state"]["address"]
    first = Run(ws, queued["id"])
    first.wait_for_completion(timeout=300)

    # Two held runs at once: adaptive scaling counts them and starts a worker for each.
    gate = tmp_path / "gate"
    held = [
        mlws("notebook", "submit", str(nb), "-p", "gate", str(gate), "-c", "cpu")[1]["id"]
        for _ in range(2)
    ]
    runs = [Run(ws, run_id) for run_id in held]
    wait_until(lambda: all(r.refresh().status is RunStatus.RUNNING for r in runs), timeout=300)
    assert workers(address) == 2
    gate.touch()
    for run in runs:
        run.wait_for_completion(timeout=300)
    wait_until(lambda: workers(address) == 0, timeout=300)  # idle workers go, down to min

    code, listed = mlws("compute", "list")
    assert {t["name"]: t["state"]["status"] for t in listed} == {
        "local": "Running",
        "cpu": "Running",
    }
    assert mlws("compute", "delete", "cpu")[0] == 1  # refused while running
    pid = int(started["state"]["pid"])
    code, stopped = mlws("compute", "stop", "cpu")
    assert code == 0 and stopped["state"]["status"] == "Stopped"
    wait_until(lambda: gone(pid), timeout=120)
    assert mlws("compute", "delete", "cpu")[0] == 0
    assert [t["name"] for t in mlws("compute", "list")[1]] == ["local"]


def test_a_dead_scheduler_leaves_no_run_stuck(ws: Workspace, notebook: Callable[..., Path]) -> None:
    assert mlws("compute", "create", "c", "--max-nodes", "1", "--warm-pool-size", "0")[0] == 0
    state = mlws("compute", "start", "c")[1]["state"]
    nb = notebook(None, "import time\nprint('running', flush=True)\ntime.sleep(300)")
    _, submitted = mlws("notebook", "submit", str(nb), "-c", "c")
    run = Run(ws, submitted["id"])
    wait_until(lambda: "running" in run.get_logs(), timeout=300)
    family = psutil.Process(int(state["pid"])).children(recursive=True)
    os.killpg(int(state["pid"]), signal.SIGKILL)  # the scheduler and everything under it
    run.wait_for_completion(timeout=300, raise_on_error=False)
    record = run.refresh()
    assert record.status is RunStatus.FAILED and record.error is not None
    assert record.error["code"] == "lost"
    shown = mlws("compute", "show", "c")[1]
    assert shown["state"] == {
        "status": "Stopped",
        "reason": "the scheduler process exited unexpectedly",
    }
    wait_until(lambda: all(gone(p.pid) for p in family), timeout=120)
