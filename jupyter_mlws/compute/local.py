"""The built-in ``local`` target: each run is a detached runner process on this machine."""

from __future__ import annotations

import os
import sys
from typing import Any

from jupyter_mlws.compute.process import spawn_detached
from jupyter_mlws.config import ENV_WORKSPACE
from jupyter_mlws.tracking import Workspace


class LocalTarget:
    """No daemon: submitters and finishing runners start queued runs as slots free up."""

    def __init__(self, ws: Workspace, name: str, config: dict[str, Any]) -> None:
        self.ws = ws
        self.name = name
        self.max_concurrency: int | None = config.get(
            "max_concurrency", ws.config.local_max_concurrency
        )

    def dispatch(self) -> list[str]:
        run_ids = self.ws.store.claim_queued(self.name, self.max_concurrency)
        for run_id in run_ids:
            self._spawn(run_id)
        return run_ids

    def _spawn(self, run_id: str) -> None:
        env = {**os.environ, ENV_WORKSPACE: str(self.ws.root)}
        env.pop("MLWS_RUN_ID", None)  # a run submitted from inside a run is not that run
        spawn_detached(
            [sys.executable, "-m", "jupyter_mlws.compute.job", run_id],
            env=env,
            log_path=self.ws.runs_dir / run_id / "runner.log",
        )
