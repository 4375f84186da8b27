"""The built-in ``local`` target: each run is a detached runner process on this machine."""

from __future__ import annotations

import os
import sys
from typing import Any

from jupyter_mlws.compute import local_agent
from jupyter_mlws.compute.process import spawn_detached
from jupyter_mlws.config import ENV_WORKSPACE
from jupyter_mlws.entities import ACTIVE_STATUSES, RunStatus
from jupyter_mlws.tracking import Workspace
from jupyter_mlws.tracking.liveness import observe


class LocalTarget:
    """No daemon: submitters and finishing runners start queued runs as slots free up."""

    def __init__(self, ws: Workspace, name: str, config: dict[str, Any]) -> None:
        self.ws = ws
        self.name = name
        self.max_concurrency: int | None = config.get(
            "max_concurrency", ws.config.local_max_concurrency
        )

    def dispatch(self) -> list[str]:
        if self.max_concurrency is not None:
            self._release_dead_slots()
        run_ids = self.ws.store.claim_queued(self.name, self.max_concurrency)
        cold = self._hand_runs_to_agent(run_ids) if run_ids else run_ids
        for run_id in cold:
            try:
                self._spawn(run_id)
            except OSError as exc:  # never leave a claimed run Preparing with no runner
                self.ws.store.transition(
                    run_id,
                    RunStatus.FAILED,
                    only_from=[RunStatus.PREPARING],
                    error={"message": f"could not start the runner: {exc}", "code": "spawn_failed"},
                )
        return run_ids

    def _release_dead_slots(self) -> None:
        """Active runs whose runner died hold no slot: mark them lost first."""
        records, _ = self.ws.store.list_runs(
            compute=self.name, statuses=list(ACTIVE_STATUSES), limit=1000
        )
        for record in records:
            observe(self.ws.store, record, self.ws.config.lost_after_seconds)

    def _hand_runs_to_agent(self, run_ids: list[str]) -> list[str]:
        """Runs go to the local agent when it is up (see local_agent): it has the runner
        imported already and warm kernels for notebook runs, so a run starts in tens of
        milliseconds. When no agent answers, the runs start cold and one is started in
        the background for the next ones. Returns the runs to start cold."""
        if local_agent.pool_size() == 0:
            return run_ids
        accepted = set(local_agent.hand_over(self.ws, run_ids))
        if not accepted:
            specs = [self.ws.store.get_run(r).definition.get("warm") for r in run_ids]
            local_agent.start(self.ws, [spec for spec in specs if spec])
        return [r for r in run_ids if r not in accepted]

    def _spawn(self, run_id: str) -> None:
        env = {**os.environ, ENV_WORKSPACE: str(self.ws.root)}
        env.pop("MLWS_RUN_ID", None)  # a run submitted from inside a run is not that run
        spawn_detached(
            [sys.executable, "-m", "jupyter_mlws.compute.job", run_id],
            env=env,
            log_path=self.ws.runs_dir / run_id / "runner.log",
        )
