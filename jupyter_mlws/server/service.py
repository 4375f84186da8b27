"""The REST API's calls into the workspace: plain dicts in and out, typed errors.

Handlers stay thin: they parse HTTP into these calls and write what they return. Every
rule lives below (store, tracking, compute); this module only gathers and shapes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jupyter_mlws.entities import RunRecord, RunStatus
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.tracking import Run
from jupyter_mlws.tracking.liveness import observe
from jupyter_mlws.workspace import Workspace

MAX_LOG_READ = 1024 * 1024


@dataclass(frozen=True)
class ServiceSettings:
    root_dir: Path
    outputs_dir: str = "mlws-outputs"
    refresh_interval_ms: int = 1000
    page_size: int = 50
    chart_max_points: int = 2000


@dataclass(frozen=True)
class RunQuery:
    """The filters, order and page of a runs listing."""

    experiment: str | None = None
    statuses: Sequence[str] = ()
    parent_id: str | None = None
    include_children: bool = False
    compute: str | None = None
    kind: str | None = None
    tags: Mapping[str, str] | None = None
    sort: str = "created"
    descending: bool = True
    limit: int = 50
    page_token: str | None = None


class MlwsService:
    def __init__(self, ws: Workspace, settings: ServiceSettings) -> None:
        self.ws = ws
        self.store = ws.store
        self.settings = settings

    # ---- workspace ------------------------------------------------------------------
    def workspace_info(self) -> dict[str, Any]:
        details = self.ws.details()
        ui = asdict(self.settings)
        ui.pop("root_dir")
        return {**details, "root": str(details["root"]), "settings": ui}

    def changes(self) -> dict[str, Any]:
        return {"cursor": self.store.change_cursor()}

    # ---- experiments ----------------------------------------------------------------
    def list_experiments(self, include_archived: bool) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.store.list_experiments(include_archived)]

    def get_experiment(self, ref: str) -> dict[str, Any]:
        exp = self.store.get_experiment(ref)
        counted = {e.id: e for e in self.store.list_experiments(include_archived=True)}
        return counted.get(exp.id, exp).to_dict()

    def archive_experiment(self, ref: str) -> dict[str, Any]:
        self.store.archive_experiment(ref)
        return self.get_experiment(str(self.store.get_experiment(ref).id))

    # ---- runs -----------------------------------------------------------------------
    def resolve_run(self, ref: str) -> str:
        """A full id as is (the common case, and no scan); else a prefix or EXP:NUMBER."""
        if len(ref) == 32 and all(c in "0123456789abcdef" for c in ref):
            return ref
        return self.store.resolve_run_id(ref)

    def list_runs(self, query: RunQuery) -> dict[str, Any]:
        experiment_id = self.store.get_experiment(query.experiment).id if query.experiment else None
        parent_id = self.resolve_run(query.parent_id) if query.parent_id else None
        records, next_token = self.store.list_runs(
            experiment_id,
            statuses=[RunStatus.parse(s) for s in query.statuses] or None,
            parent_id=parent_id,
            top_level_only=not (query.include_children or parent_id),
            compute=query.compute,
            kind=query.kind,
            tags=query.tags,
            sort_by=query.sort,
            descending=query.descending,
            limit=query.limit,
            page_token=query.page_token,
        )
        return {
            "runs": [self._observed(r).to_dict() for r in records],
            "next_page_token": next_token,
        }

    def get_run(self, ref: str) -> dict[str, Any]:
        run_id = self.resolve_run(ref)
        record = self._observed(self.store.get_run(run_id))
        children, _ = self.store.list_runs(parent_id=run_id, limit=1)
        return {
            **record.to_dict(),
            "logs": self.store.log_names(run_id),
            "has_children": bool(children),
        }

    def cancel_run(self, ref: str) -> dict[str, Any]:
        run = Run(self.ws, self.resolve_run(ref))
        run.cancel()
        return run.record.to_dict()

    def _observed(self, record: RunRecord) -> RunRecord:
        return observe(self.store, record, self.ws.config.lost_after_seconds)

    # ---- metrics and logs -------------------------------------------------------------
    def metrics(self, ref: str) -> list[dict[str, Any]]:
        return [
            _finite_fields(m.__dict__) for m in self.store.latest_metrics(self.resolve_run(ref))
        ]

    def values(self, ref: str) -> list[dict[str, Any]]:
        """Tables, rows, lists, strings and image references the run logged, by name."""
        return [
            {"key": v.key, "kind": v.kind, "seq": v.seq, "value": v.value, "timestamp": v.timestamp}
            for v in self.store.list_values(self.resolve_run(ref))
        ]

    def metric_history(self, ref: str, key: str, max_points: int | None) -> dict[str, Any]:
        run_id = self.resolve_run(ref)
        series = (
            self.store.metric_downsampled(run_id, key, max_points)
            if max_points
            else self.store.metric_history(run_id, key)
        )
        return series.to_dict()

    def read_log(self, ref: str, name: str, offset: int, max_bytes: int) -> dict[str, Any]:
        """A piece of a log; a log nothing was written to yet reads as empty."""
        run_id = self.resolve_run(ref)
        if offset < 0:
            raise InvalidParameterError("offset must be 0 or more")
        if not 1 <= max_bytes <= MAX_LOG_READ:
            raise InvalidParameterError(f"max_bytes must be between 1 and {MAX_LOG_READ}")
        raw, position = self.store.read_log(run_id, name, offset, max_bytes)
        data = _whole_utf8(raw[:max_bytes])  # the store returns whole chunks
        return {
            "name": name,
            "offset": offset,
            "next_offset": position - (len(raw) - len(data)),
            "text": data.decode("utf-8", errors="replace"),
        }


def _whole_utf8(data: bytes) -> bytes:
    """Cut a trailing partial UTF-8 character so the next read starts on a boundary."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 != 0x80:  # a lead byte or ASCII
            need = _utf8_length(byte)
            return data if need <= back else data[:-back]
    return data


def _utf8_length(lead: int) -> int:
    if lead < 0x80:
        return 1
    if lead >> 5 == 0b110:
        return 2
    return 3 if lead >> 4 == 0b1110 else 4


def _finite_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """JSON has no NaN or infinity: send them as "nan", "inf", "-inf"."""
    return {
        k: str(v) if isinstance(v, float) and not math.isfinite(v) else v for k, v in fields.items()
    }
