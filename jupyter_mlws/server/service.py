"""The REST API's view of the services: JSON-ready dicts out, typed errors.

Handlers stay thin: they parse HTTP into these calls and write what they return. Every
rule lives in ``jupyter_mlws.services`` and below; this module only shapes for JSON.
Handlers run these calls on ``pool``, never on the server's event loop: a snapshot or
a write waiting on SQLite's busy timeout must not stall every kernel's websocket.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jupyter_mlws.jsonable import to_jsonable
from jupyter_mlws.server.submit_pool import SubmitPool
from jupyter_mlws.services import changes, experiments, runs
from jupyter_mlws.services.runs import MAX_LOG_READ, RunQuery
from jupyter_mlws.workspace import Workspace

__all__ = ["MAX_LOG_READ", "MlwsService", "RunQuery", "ServiceSettings"]


@dataclass(frozen=True)
class ServiceSettings:
    root_dir: Path
    outputs_dir: str = "mlws-outputs"
    refresh_interval_ms: int = 1000
    page_size: int = 50
    chart_max_points: int = 2000


class MlwsService:
    def __init__(self, ws: Workspace, settings: ServiceSettings, threads: int = 4) -> None:
        self.ws = ws
        self.settings = settings
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="mlws")
        self.submissions = SubmitPool(ws.root, settings.root_dir, fallback=self.pool)

    def close(self) -> None:
        self.submissions.shutdown()
        self.pool.shutdown(wait=False, cancel_futures=True)

    # ---- workspace ------------------------------------------------------------------
    def workspace_info(self) -> dict[str, Any]:
        details = self.ws.details()
        ui = asdict(self.settings)
        ui.pop("root_dir")
        return {**details, "root": str(details["root"]), "settings": ui}

    def changes(self, cursor: str | None = None) -> dict[str, Any]:
        return changes.changes_since(self.ws, cursor).to_dict()

    # ---- experiments ----------------------------------------------------------------
    def list_experiments(self, include_archived: bool) -> list[dict[str, Any]]:
        return [e.to_dict() for e in experiments.list_experiments(self.ws, include_archived)]

    def get_experiment(self, ref: str) -> dict[str, Any]:
        return experiments.get_experiment(self.ws, ref).to_dict()

    def archive_experiment(self, ref: str) -> dict[str, Any]:
        return experiments.archive_experiment(self.ws, ref).to_dict()

    # ---- runs -----------------------------------------------------------------------
    def resolve_run(self, ref: str) -> str:
        return runs.resolve_run_id(self.ws, ref)

    def list_runs(self, query: RunQuery) -> dict[str, Any]:
        return runs.list_runs(self.ws, query).to_dict()

    def get_run(self, ref: str) -> dict[str, Any]:
        return runs.get_details(self.ws, ref).to_dict()

    def cancel_run(self, ref: str) -> dict[str, Any]:
        return runs.cancel_run(self.ws, ref).to_dict()

    def rerun(self, ref: str) -> dict[str, Any]:
        return self.get_run(runs.rerun(self.ws, ref).id)

    # ---- metrics and logs -------------------------------------------------------------
    def metrics(self, ref: str) -> list[dict[str, Any]]:
        return [to_jsonable(m.__dict__) for m in runs.latest_metrics(self.ws, ref)]

    def values(self, ref: str) -> list[dict[str, Any]]:
        """Tables, rows, lists, strings and image references the run logged, by name."""
        return [
            {"key": v.key, "kind": v.kind, "seq": v.seq, "value": v.value, "timestamp": v.timestamp}
            for v in runs.logged_values(self.ws, ref)
        ]

    def metric_history(self, ref: str, key: str, max_points: int | None) -> dict[str, Any]:
        return runs.metric_series(self.ws, ref, key, max_points).to_dict()

    def read_log(self, ref: str, name: str, offset: int, max_bytes: int) -> dict[str, Any]:
        """A piece of a log; a log nothing was written to yet reads as empty."""
        return runs.read_log(self.ws, ref, name, offset, max_bytes).to_dict()
