"""Runs on an attached Dask cluster: a real multi-process ``LocalCluster``."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import gone, wait_until

from jupyter_mlws import NotebookRunConfig, Run, ScriptRunConfig, Workspace
from jupyter_mlws.compute import admin
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import RunFailedError

pytestmark = pytest.mark.timeout(300)

SLEEPER = "import os, time\nprint('pids', os.getpid(), os.getppid(), flush=True)\ntime.sleep(300)"


@pytest.fixture
def ws(tmp_path: Path, dask_cluster: object) -> Workspace:
    workspace = Workspace.init(tmp_path / "proj")
    admin.attach_target(workspace, "dc", dask_cluster.scheduler.address)  # type: ignore[attr-defined]
    return workspace


def _pids(run: Run) -> list[int]:
    return [int(p) for p in run.get_logs().split("pids ", 1)[1].split()[:2]]


def test_twenty_notebook_runs_across_two_workers_get_their_own_parameters(
    ws: Workspace, notebook: Callable[..., Path]
) -> None:
    path = notebook(
        "i = -1",
        "from jupyter_mlws import Run\nRun.get_context().log('i_seen', i)\nprint('i is', i)",
    )
    exp = ws.experiment("fan-out")
    runs = [
        exp.submit(NotebookRunConfig(path, parameters={"i": i}, compute="dc")) for i in range(20)
    ]
    for run in runs:
        run.wait_for_completion(timeout=240)
    records = [run.refresh() for run in runs]
    assert [r.status for r in records] == [RunStatus.COMPLETED] * 20
    assert [Run(ws, r.id).get_metrics()["i_seen"] for r in records] == list(range(20))
    assert [r.params["i"] for r in records] == [str(i) for i in range(20)]
    assert len({r.pid for r in records}) == 2  # both workers took runs


def _ready_warm_processes(client: object) -> dict[str, int]:
    def count(dask_worker: object) -> int:
        plugin = dask_worker.plugins.get("mlws-warm-pool")  # type: ignore[attr-defined]
        return sum(plugin.pool.counts().values()) if plugin is not None else 0

    return client.run(count)  # type: ignore[attr-defined, no-any-return]


def test_each_worker_hands_a_run_a_warm_kernel(
    ws: Workspace, notebook: Callable[..., Path], dask_cluster: object
) -> None:
    path = notebook("x = 0", "print(x)")
    exp = ws.experiment("w")
    exp.submit(NotebookRunConfig(path, compute="dc")).wait_for_completion(timeout=120)
    # the first submission installed the plugin; each worker now keeps a kernel ready
    wait_until(
        lambda: all(n >= 1 for n in _ready_warm_processes(dask_cluster).values()), timeout=120
    )
    run = exp.submit(NotebookRunConfig(path, parameters={"x": 7}, compute="dc"))
    run.wait_for_completion(timeout=120)
    assert run.refresh().tags["mlws.notebook.kernel_start"] == "warm"
    assert "7" in run.get_logs()


def test_script_runs_go_to_dask_too(ws: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "scripts"
    src.mkdir()
    (src / "train.py").write_text(
        "from jupyter_mlws import Run\nRun.get_context().log('acc', 0.9)\nprint('trained')\n"
    )
    run = ws.experiment("s").submit(ScriptRunConfig(src, "train.py", compute="dc"))
    run.wait_for_completion(timeout=120)
    assert "trained" in run.get_logs()
    assert run.get_metrics()["acc"] == 0.9


def test_cancel_stops_a_running_task_whose_key_is_the_run_id(
    ws: Workspace, notebook: Callable[..., Path], dask_cluster: object
) -> None:
    run = ws.experiment("c").submit(NotebookRunConfig(notebook(None, SLEEPER), compute="dc"))
    wait_until(lambda: "pids " in run.get_logs(), timeout=120)
    kernel, papermill_process = _pids(run)
    keys = dask_cluster.run_on_scheduler(  # type: ignore[attr-defined]
        lambda dask_scheduler: [str(k) for k in dask_scheduler.tasks]
    )
    assert run.id in keys
    run.cancel()
    with pytest.raises(RunFailedError, match="Canceled"):
        run.wait_for_completion(timeout=120)
    wait_until(lambda: gone(kernel) and gone(papermill_process), timeout=120)


def test_a_killed_worker_fails_its_run_with_the_reason(
    ws: Workspace, notebook: Callable[..., Path]
) -> None:
    run = ws.experiment("k").submit(NotebookRunConfig(notebook(None, SLEEPER), compute="dc"))
    wait_until(lambda: "pids " in run.get_logs(), timeout=120)
    kernel, papermill_process = _pids(run)
    worker_pid = run.refresh().pid
    assert worker_pid is not None and worker_pid not in (kernel, papermill_process)
    os.kill(worker_pid, signal.SIGKILL)
    with pytest.raises(RunFailedError):
        run.wait_for_completion(timeout=120)
    error = run.refresh().error
    assert error is not None and error.get("code") in ("worker_lost", "lost"), error
    wait_until(lambda: gone(kernel) and gone(papermill_process), timeout=120)
