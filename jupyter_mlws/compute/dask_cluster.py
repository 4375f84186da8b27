"""The managed Dask cluster: a detached local scheduler with adaptive worker processes.

``python -m jupyter_mlws.compute.dask_cluster NAME`` (started by ``start_cluster``, i.e.
``mlws compute start NAME``) runs a ``LocalCluster`` with one thread per worker (one
run per worker at a time) in its own session, so it outlives the kernel, the CLI and
the Jupyter server that started it. Its address and process identity are written to
the target's state; ``stop_cluster`` ends it with SIGTERM.

Scaling: ``JobAdaptive`` asks for one worker per unfinished run task (queued or
running), between ``min_nodes`` and ``max_nodes``. Dask's own estimate assumes an
unseen task takes 0.5 s and so starts about one worker for ten queued one-hour
notebooks. Workers idle for ``idle_seconds`` are closed, down to ``min_nodes``.

While it runs, the process re-dispatches Queued runs of the target every
``REDISPATCH_S`` seconds, so runs submitted while it was starting (or by a client that
could not reach it) are picked up. On stop, runs still active on it are marked Failed
("the compute target was stopped"); Queued runs stay Queued until the next start.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from jupyter_mlws import processes
from jupyter_mlws.compute.dask_target import (
    DaskTarget,
    close_clients,
    observed_state,
    process_alive,
)
from jupyter_mlws.compute.process import spawn_detached
from jupyter_mlws.config import ENV_RUN_ID, ENV_WORKSPACE
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import ResourceConflictError
from jupyter_mlws.tracking import Workspace
from jupyter_mlws.tracking.liveness import process_identity, this_host

REDISPATCH_S = 2.0
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0
UNFINISHED = frozenset({"released", "waiting", "queued", "no-worker", "processing"})


def log_path(ws: Workspace, name: str) -> Path:
    return ws.root / "compute" / f"{name}.log"


# ---- the caller's side ----------------------------------------------------------------


def start_cluster(ws: Workspace, name: str, timeout: float = START_TIMEOUT_S) -> dict[str, Any]:
    """Start the cluster process (if it is not running) and wait until it serves."""
    state = observed_state(ws, name)
    if state.get("status") == "Running":
        return state
    if state.get("status") == "Starting" and process_alive(state):
        return _wait_running(ws, name, int(state["pid"]), timeout)
    env = {**os.environ, ENV_WORKSPACE: str(ws.root)}
    env.pop(ENV_RUN_ID, None)
    pid = spawn_detached(
        [sys.executable, "-m", "jupyter_mlws.compute.dask_cluster", name],
        env=env,
        log_path=log_path(ws, name),
    )
    return _wait_running(ws, name, pid, timeout)


def _wait_running(ws: Workspace, name: str, pid: int, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state: dict[str, Any] = ws.store.get_target(name)["state"]
        if state.get("status") == "Running":
            return state
        if not processes.process_alive(pid):
            break
        time.sleep(0.1)
    tail = _log_tail(log_path(ws, name))
    raise ResourceConflictError(
        f"compute target {name!r} did not start (see {log_path(ws, name)}): {tail}"
    )


def _log_tail(path: Path) -> str:
    try:
        lines = [ln for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "no log"
    return lines[-1] if lines else "no output"


def stop_cluster(ws: Workspace, name: str, timeout: float = STOP_TIMEOUT_S) -> dict[str, Any]:
    """SIGTERM the cluster process and wait for it; SIGKILL its group if it hangs."""
    state = observed_state(ws, name)
    if state.get("status") not in ("Running", "Starting", "Stopping") or not state.get("pid"):
        return state
    if state.get("host") not in (None, this_host()):
        raise ResourceConflictError(
            f"compute target {name!r} runs on {state.get('host')}; stop it there"
        )
    pid = int(state["pid"])
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process_alive(state):
        time.sleep(0.1)
    if process_alive(state):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    final = {"status": "Stopped", "reason": "stopped by request"}
    ws.store.update_target(name, state=final, activity="stop")
    return final


# ---- the cluster process ----------------------------------------------------------------


def _adaptive_class() -> type:
    from distributed.deploy.adaptive import Adaptive

    class JobAdaptive(Adaptive):
        """One worker per unfinished run (threads_per_worker=1), clamped by Dask."""

        async def target(self) -> int:
            # the cluster runs in this process, so its scheduler is at hand
            tasks = self.cluster.scheduler.tasks.values()  # type: ignore[attr-defined]
            return sum(1 for ts in tasks if ts.state in UNFINISHED)

    return JobAdaptive


def serve(ws: Workspace, name: str) -> None:
    import dask
    from distributed import Client, LocalCluster

    from jupyter_mlws.compute.dask_worker import PLUGIN_NAME, WarmPoolPlugin
    from jupyter_mlws.compute.notebook_config import warm_spec

    config = ws.store.get_target(name)["config"]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    dask.config.set({"distributed.scheduler.default-task-durations": {"run_task": "1h"}})
    cluster = LocalCluster(
        n_workers=int(config.get("min_nodes", 0)),
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address=":0",  # a free port: 8787 may be taken by another cluster
        resources=config.get("resources") or None,
        silence_logs=logging.WARNING,
    )
    client = Client(cluster, set_as_default=False)
    size = int(config.get("warm_pool_size", 1))
    if size > 0:
        specs = [warm_spec(k) for k in config.get("warm_kernels", ["python3"])]
        client.register_plugin(WarmPoolPlugin(size, specs), name=PLUGIN_NAME)
    cluster.adapt(
        Adaptive=_adaptive_class(),
        minimum=int(config.get("min_nodes", 0)),
        maximum=int(config.get("max_nodes", 1)),
        interval="1s",
        wait_count=max(1, round(float(config.get("idle_seconds", 60)))),
    )
    pid, started = process_identity()
    ws.store.update_target(
        name,
        state={
            "status": "Running",
            "address": cluster.scheduler_address,
            "host": this_host(),
            "pid": pid,
            "pid_started": started,
        },
    )
    target = DaskTarget(ws, name, config)
    while not stop.wait(REDISPATCH_S):
        try:
            target.dispatch()
        except Exception as exc:  # a busy database: try again next round
            print(f"[mlws] dispatch failed: {exc}", flush=True)
    state = dict(ws.store.get_target(name)["state"], status="Stopping")
    ws.store.update_target(name, state=state)
    _fail_active_runs(ws, name)
    close_clients()  # the dispatcher's own connection, before the scheduler goes
    client.close()
    cluster.close(timeout=30)
    ws.store.update_target(name, state={"status": "Stopped", "reason": "stopped by request"})


def _fail_active_runs(ws: Workspace, name: str) -> None:
    active = [s for s in RunStatus if s.is_active]
    records, _ = ws.store.list_runs(compute=name, statuses=active, limit=10_000)
    for record in records:
        ws.store.transition(
            record.id,
            RunStatus.FAILED,
            only_from=active,
            error={
                "message": f"compute target {name!r} was stopped while the run was active",
                "code": "compute_stopped",
            },
        )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    ws = Workspace.open(Path(os.environ[ENV_WORKSPACE]))
    serve(ws, args[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
