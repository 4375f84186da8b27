"""What runs on a Dask worker: the task that executes one run, and the warm pool plugin.

Workers need only ``pip install "jupyter-mlws[dask]"`` and access to the workspace's
store and artifact URLs (a workspace folder at the same path, or one named by
``MLWS_WORKER_WORKSPACE`` whose ``workspace.json`` points at the same URLs).

Dask re-runs a task whose worker died (up to ``allowed-failures`` times). ``run_task``
therefore starts a run only if it is still Queued; a re-run of a run that was already
started means its worker died, and the run is marked Failed with that reason instead of
being executed twice.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from distributed import WorkerPlugin, get_worker

from jupyter_mlws.compute.job import Job
from jupyter_mlws.compute.warm_pool import WarmPool
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.tracking import Workspace

PLUGIN_NAME = "mlws-warm-pool"
ENV_WORKER_WORKSPACE = "MLWS_WORKER_WORKSPACE"
WORKER_DIED = (
    "the Dask worker running it died (killed, out of memory, or its machine went away); "
    "Dask re-scheduled the task, and a run is never executed twice"
)


class WarmPoolPlugin(WorkerPlugin):
    """Keeps ``size`` warm processes per warm spec on each worker (0 disables)."""

    def __init__(self, size: int, specs: Sequence[Sequence[str]] = ()) -> None:
        self.size = size
        self.specs = [list(s) for s in specs]
        self.pool: WarmPool | None = None

    def setup(self, worker: object) -> None:
        folder = Path(tempfile.gettempdir()) / f"mlws-warm-{os.getpid()}"
        self.pool = WarmPool(self.size, folder)
        for spec in self.specs:
            self.pool.want(spec)

    def teardown(self, worker: object) -> None:
        if self.pool is not None:
            self.pool.close()


def run_task(workspace_root: str, run_id: str) -> str:
    """The Dask task of one run (submitted with ``key=run_id, pure=False``)."""
    ws = Workspace.open(os.environ.get(ENV_WORKER_WORKSPACE) or workspace_root)
    store = ws.store
    if not store.transition(run_id, RunStatus.PREPARING, only_from=[RunStatus.QUEUED]):
        record = store.get_run(run_id)
        if record.status.is_active:
            store.transition(
                run_id,
                RunStatus.FAILED,
                only_from=[s for s in RunStatus if s.is_active],
                error={"message": WORKER_DIED, "code": "worker_lost"},
            )
        return store.get_run(run_id).status.value
    pool = _worker_pool()
    job = Job(ws, run_id, launcher=pool.launch if pool is not None else None)
    return job.execute().value


def _worker_pool() -> WarmPool | None:
    try:
        plugin = get_worker().plugins.get(PLUGIN_NAME)
    except ValueError:  # not inside a worker (called directly)
        return None
    return getattr(plugin, "pool", None)
