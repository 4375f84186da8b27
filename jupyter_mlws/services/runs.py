"""Runs for every front door: list, resolve a reference, details, metrics, logs,
cancel, re-run and download. Plain arguments in, entities out.

One place for the rules the doors used to each apply their own way: a run reference
means the same everywhere, every run shown has been observed for liveness (a killed
run reads Failed in every listing), and charts get the downsampled view.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_mlws.artifacts import write_zip
from jupyter_mlws.compute.submit import resubmit_run
from jupyter_mlws.entities import FileEntry, LatestMetric, RunRecord, RunRecordValue, RunStatus
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.monitoring.system_metrics import CPU, RSS
from jupyter_mlws.pipeline.cancel import cancel_pipeline
from jupyter_mlws.pipeline.start import KIND as PIPELINE_KIND
from jupyter_mlws.pipeline.start import rerun_pipeline
from jupyter_mlws.store import MetricSeries
from jupyter_mlws.tracking import Run, Workspace, run_listing
from jupyter_mlws.tracking.run import LOG_NAME
from jupyter_mlws.tracking.run_listing import observed  # the one liveness rule

MAX_LOG_READ = 1024 * 1024
FOLLOW_POLL_S = 0.3
DOWNLOADS = ("outputs", "logs", "snapshot", "all")

__all__ = [  # LOG_NAME and MetricSeries too: front doors take them from here, not below
    "LOG_NAME",
    "LogPiece",
    "MetricSeries",
    "RunDetails",
    "RunPage",
    "RunQuery",
    "artifacts",
    "cancel_run",
    "download",
    "follow_log",
    "get_details",
    "get_record",
    "latest_metrics",
    "list_runs",
    "load_run",
    "log_document",
    "log_names",
    "log_size",
    "metric_series",
    "observed",
    "read_log",
    "rename_run",
    "rerun",
    "resolve_run_id",
    "snapshot_zip",
    "system_summary",
]


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


@dataclass(frozen=True)
class RunPage:
    runs: list[RunRecord]
    next_page_token: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"runs": [r.to_dict() for r in self.runs], "next_page_token": self.next_page_token}


@dataclass(frozen=True)
class RunDetails:
    """A run's record with what a details view shows beside it."""

    record: RunRecord
    logs: list[str] = field(default_factory=list)
    has_children: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {**self.record.to_dict(), "logs": self.logs, "has_children": self.has_children}


@dataclass(frozen=True)
class LogPiece:
    name: str
    offset: int
    next_offset: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "offset": self.offset,
            "next_offset": self.next_offset,
            "text": self.text,
        }


# ---- references and liveness ---------------------------------------------------------
def resolve_run_id(ws: Workspace, ref: str) -> str:
    """A run id, a 6+ character id prefix or ``EXPERIMENT:NUMBER`` → the run id.

    A full id is taken as is (the common case, and no query).
    """
    if len(ref) == 32 and all(c in "0123456789abcdef" for c in ref):
        return ref
    return ws.store.resolve_run_id(ref)


def load_run(ws: Workspace, ref: str) -> Run:
    """The ``Run`` a reference names (observed: a dead runner reads Failed)."""
    run = Run(ws, resolve_run_id(ws, ref))
    run.refresh()
    return run


# ---- reading ---------------------------------------------------------------------------
def list_runs(ws: Workspace, query: RunQuery) -> RunPage:
    store = ws.store
    experiment_id = store.get_experiment(query.experiment).id if query.experiment else None
    parent_id = resolve_run_id(ws, query.parent_id) if query.parent_id else None
    records, next_token = run_listing.list_runs(
        ws,
        experiment_id=experiment_id,
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
    return RunPage(records, next_token)


def get_record(ws: Workspace, ref: str) -> RunRecord:
    return observed(ws, ws.store.get_run(resolve_run_id(ws, ref)))


def get_details(ws: Workspace, ref: str) -> RunDetails:
    record = get_record(ws, ref)
    children, _ = ws.store.list_runs(parent_id=record.id, limit=1)
    return RunDetails(record, ws.store.log_names(record.id), bool(children))


def latest_metrics(ws: Workspace, ref: str) -> list[LatestMetric]:
    return ws.store.latest_metrics(resolve_run_id(ws, ref))


def system_summary(ws: Workspace, ref: str) -> dict[str, float]:
    """Peaks of the run's system metrics (empty when it was not sampled): for summaries."""
    peaks = {m.key: m.max for m in latest_metrics(ws, ref)}
    wanted = {"peak_memory_mb": RSS, "peak_cpu_percent": CPU}
    return {name: peaks[key] for name, key in wanted.items() if key in peaks}


def logged_values(ws: Workspace, ref: str) -> list[RunRecordValue]:
    """What a run logged besides series: tables, rows, lists, strings, image references."""
    return ws.store.list_values(resolve_run_id(ws, ref))


def logged_kinds(ws: Workspace, ref: str) -> dict[str, str]:
    """The names of those values, and how each was logged (``row``, ``table``, ...)."""
    return {v.key: v.kind for v in logged_values(ws, ref)}


def metric_series(ws: Workspace, ref: str, key: str, max_points: int | None = None) -> MetricSeries:
    """One metric's full history, or with ``max_points`` the chart view: at most that
    many points, keeping each bucket's minimum and maximum."""
    run_id = resolve_run_id(ws, ref)
    if max_points:
        return ws.store.metric_downsampled(run_id, key, max(2, max_points))
    return ws.store.metric_history(run_id, key)


def artifacts(ws: Workspace, ref: str, prefix: str = "") -> list[FileEntry]:
    return ws.store.list_artifacts(resolve_run_id(ws, ref), prefix)


# ---- logs ------------------------------------------------------------------------------
def log_names(ws: Workspace, ref: str) -> list[str]:
    return ws.store.log_names(resolve_run_id(ws, ref))


def log_size(ws: Workspace, ref: str, name: str) -> int:
    return ws.store.log_size(resolve_run_id(ws, ref), name)


def read_log(
    ws: Workspace, ref: str, name: str = LOG_NAME, offset: int = 0, max_bytes: int = MAX_LOG_READ
) -> LogPiece:
    """A piece of a log ending on a whole UTF-8 character; a log nothing was written to
    yet reads as empty."""
    run_id = resolve_run_id(ws, ref)
    if offset < 0:
        raise InvalidParameterError("offset must be 0 or more")
    if not 1 <= max_bytes <= MAX_LOG_READ:
        raise InvalidParameterError(f"max_bytes must be between 1 and {MAX_LOG_READ}")
    raw, position = ws.store.read_log(run_id, name, offset, max_bytes)
    data = _whole_utf8(raw[:max_bytes])  # the store returns whole chunks
    return LogPiece(
        name=name,
        offset=offset,
        next_offset=position - (len(raw) - len(data)),
        text=data.decode("utf-8", errors="replace"),
    )


def follow_log(
    ws: Workspace, ref: str, name: str = LOG_NAME, *, follow: bool = True, offset: int = 0
) -> Iterator[str]:
    """The log's text as it grows; with ``follow`` until the run ends (then whatever it
    wrote last), else what there is now."""
    run_id = resolve_run_id(ws, ref)
    while True:
        ended = not follow or get_record(ws, run_id).status.is_terminal
        piece = read_log(ws, run_id, name, offset)
        while piece.next_offset > offset:
            offset = piece.next_offset
            yield piece.text
            piece = read_log(ws, run_id, name, offset)
        if ended:
            return
        time.sleep(FOLLOW_POLL_S)


# ---- acting ----------------------------------------------------------------------------
def cancel_run(ws: Workspace, ref: str) -> RunRecord:
    """Cancel a run (its runner stops the whole process group); an ended run is left
    as it is."""
    run = Run(ws, resolve_run_id(ws, ref))
    if run.refresh().kind == PIPELINE_KIND:  # its steps too, also while it is re-queued
        cancel_pipeline(ws, run.id)
        return run.refresh()
    run.cancel()
    return run.record


def rerun(ws: Workspace, ref: str) -> RunRecord:
    """A new run with the same snapshot, arguments, params, tags and compute."""
    run_id = resolve_run_id(ws, ref)
    if ws.store.get_run(run_id).kind == PIPELINE_KIND:  # the pipeline, with reuse by key
        return rerun_pipeline(ws, run_id, from_failed=False).refresh()
    return resubmit_run(ws, run_id).record


def download(ws: Workspace, ref: str, what: str, out_dir: Path) -> list[Path]:
    """A run's outputs, logs and/or snapshot (as a zip) into ``out_dir/EXPERIMENT-NUMBER``."""
    if what not in DOWNLOADS:
        raise InvalidParameterError(f"what must be one of {', '.join(DOWNLOADS)}")
    run = load_run(ws, ref)
    record = run.record
    if what == "snapshot" and record.snapshot_id is None:
        raise InvalidParameterError(f"run {run.id} has no snapshot (interactive run)")
    dest = out_dir / f"{record.experiment_name}-{record.number}"
    dest.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if what in ("outputs", "all"):
        written += run.download_files("", dest / "files")
    if what in ("logs", "all"):
        for name in ws.store.log_names(run.id):
            target = dest / "logs" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(run.get_logs(name), encoding="utf-8")
            written.append(target)
    if what in ("snapshot", "all") and record.snapshot_id is not None:
        target = dest / "snapshot.zip"
        with open(target, "wb") as fh:
            write_zip(ws.blobs, record.snapshot_id, fh)
        written.append(target)
    return written


def snapshot_zip(ws: Workspace, ref: str, target: Path, snapshot_id: str | None = None) -> Path:
    """The run's (or the given) source snapshot as a zip at ``target``, never half-written."""
    snapshot = snapshot_id or load_run(ws, ref).record.snapshot_id
    if snapshot is None:
        raise InvalidParameterError(f"run {ref} has no snapshot (interactive run)")
    partial = target.with_name(f".{target.name}.partial")
    with open(partial, "wb") as fh:
        write_zip(ws.blobs, snapshot, fh)
    partial.replace(target)
    return target


def rename_run(ws: Workspace, ref: str, display_name: str) -> RunRecord:
    run_id = resolve_run_id(ws, ref)
    ws.store.set_run_fields(run_id, display_name=display_name)
    return get_record(ws, run_id)


def log_document(ws: Workspace, ref: str, key: str, kind: str, value: Any) -> None:
    """A structured value (e.g. v1's confusion matrix payload) under its own kind."""
    ws.store.add_value(resolve_run_id(ws, ref), key, kind, value)


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
