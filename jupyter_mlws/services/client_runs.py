"""Runs a remote client executes and logs to over the network (the MLflow REST API's).

The process doing the work is the client's, not ours: such a run is created Running on
the ``mlflow`` compute (``liveness.REMOTE_CLIENT_COMPUTE``, never found lost), every
write is one store transaction, and the client ends it with a status of its choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from jupyter_mlws.entities import Experiment, FileEntry, LatestMetric, RunRecord, RunStatus
from jupyter_mlws.exceptions import (
    InvalidParameterError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
)
from jupyter_mlws.tracking import Workspace
from jupyter_mlws.tracking.liveness import REMOTE_CLIENT_COMPUTE
from jupyter_mlws.tracking.run_files import clean_artifact_path

KIND = "mlflow"
DEFAULT_EXPERIMENT = "Default"

__all__ = [
    "DEFAULT_EXPERIMENT",
    "KIND",
    "REMOTE_CLIENT_COMPUTE",
    "create_experiment",
    "create_run",
    "default_experiment",
    "delete_experiment_tag",
    "deleted_run_ids",
    "documents_of",
    "end_run",
    "experiment_tags_of",
    "latest_metrics_of",
    "log_batch",
    "open_artifact",
    "remove_tags",
    "rename_experiment",
    "restore_experiment",
    "set_experiment_tag",
    "set_run_deleted",
    "set_run_status",
    "upload_artifact",
]


# ---- experiments -----------------------------------------------------------------------
def create_experiment(ws: Workspace, name: str) -> Experiment:
    """A new experiment; an existing active one of that name is an error (not reused)."""
    if ws.store.find_experiment(name) is not None:
        raise ResourceAlreadyExistsError(f"experiment {name!r} already exists")
    return ws.store.get_or_create_experiment(name)


def default_experiment(ws: Workspace) -> Experiment:
    """The experiment clients log to when they name none."""
    return ws.store.get_or_create_experiment(DEFAULT_EXPERIMENT)


def rename_experiment(ws: Workspace, experiment_id: int, new_name: str) -> Experiment:
    return ws.store.rename_experiment(experiment_id, new_name)


def restore_experiment(ws: Workspace, experiment_id: int) -> Experiment:
    return ws.store.restore_experiment(experiment_id)


# ---- runs ------------------------------------------------------------------------------
def create_run(
    ws: Workspace,
    experiment_id: int,
    *,
    name: str | None = None,
    tags: Mapping[str, str] | None = None,
    start_ms: int | None = None,
    parent_id: str | None = None,
) -> RunRecord:
    exp = ws.store.get_experiment(experiment_id)
    if exp.archived:
        raise InvalidParameterError(f"experiment {exp.id} is deleted (archived): restore it first")
    record = ws.store.create_run(
        exp.id,
        kind=KIND,
        compute=REMOTE_CLIENT_COMPUTE,
        status=RunStatus.RUNNING,
        display_name=name or None,
        parent_id=parent_id,
        tags=tags,
        started=True,
    )
    if start_ms is not None:
        ws.store.set_run_fields(record.id, started_ms=start_ms, created_ms=start_ms)
        record = ws.store.get_run(record.id)
    return record


def _writable(ws: Workspace, run_id: str) -> RunRecord:
    record = ws.store.get_run(run_id)
    if record.compute != REMOTE_CLIENT_COMPUTE and not record.status.is_active:
        raise InvalidParameterError(
            f"run {run_id} ended {record.status.value}: only a running run takes new values"
        )
    return record


def log_batch(
    ws: Workspace,
    run_id: str,
    *,
    metrics: Sequence[tuple[str, float, int, int]] = (),
    params: Mapping[str, str] | None = None,
    tags: Mapping[str, str] | None = None,
) -> None:
    """Metrics as (key, value, step, timestamp_ms), params (immutable) and tags (set)."""
    _writable(ws, run_id)
    if params:
        ws.store.set_params(run_id, params)
    if tags:
        ws.store.set_tags(run_id, tags)
    if metrics:
        ws.store.log_metrics(run_id, metrics)


def remove_tags(ws: Workspace, run_id: str, keys: Iterable[str]) -> None:
    ws.store.get_run(run_id)
    ws.store.remove_tags(run_id, keys)


def set_run_status(
    ws: Workspace, run_id: str, status: RunStatus, end_ms: int | None = None
) -> RunRecord:
    """Move a client's run to ``status``; an ended run keeps its status (ends are final)."""
    record = ws.store.get_run(run_id)
    if status.is_terminal:
        fields: dict[str, Any] = {"ended_ms": end_ms} if end_ms is not None else {}
        error = {"message": "the client reported a failure"} if status is RunStatus.FAILED else None
        ws.store.transition(run_id, status, error=error, **fields)
    elif status is not record.status and not record.status.is_terminal:
        ws.store.transition(run_id, status)
    return ws.store.get_run(run_id)


def end_run(ws: Workspace, run_id: str, status: RunStatus, end_ms: int | None = None) -> None:
    set_run_status(ws, run_id, status, end_ms)


def rename_run(ws: Workspace, run_id: str, name: str) -> RunRecord:
    ws.store.get_run(run_id)
    ws.store.set_run_fields(run_id, display_name=name)
    return ws.store.get_run(run_id)


def latest_metrics_of(ws: Workspace, run_ids: Sequence[str]) -> dict[str, list[LatestMetric]]:
    """Each run's latest point per metric, for a page of runs at once."""
    return ws.store.latest_metrics_of(run_ids)


def documents_of(ws: Workspace, run_ids: Sequence[str], key: str) -> dict[str, list[Any]]:
    """The documents (``runs.log_document``) each run logged under ``key``."""
    return ws.store.values_of(run_ids, key)


# ---- artifacts -------------------------------------------------------------------------
def upload_artifact(ws: Workspace, run_id: str, path: str, stream: IO[bytes]) -> FileEntry:
    """Store the bytes as the run's file ``path`` (relative, never out of the run)."""
    target = clean_artifact_path(path)
    ws.store.get_run(run_id)
    digest, size = ws.blobs.put_stream(stream)
    entry = FileEntry(target, digest, size, 0o644)
    ws.store.add_artifacts(run_id, [entry])
    return entry


def list_artifacts(ws: Workspace, run_id: str, prefix: str = "") -> list[FileEntry]:
    return ws.store.list_artifacts(run_id, prefix)


def open_artifact(ws: Workspace, run_id: str, path: str) -> tuple[FileEntry, IO[bytes]] | None:
    """The run's file ``path`` and a stream of it, or None when there is none."""
    target = clean_artifact_path(path)
    for entry in ws.store.list_artifacts(run_id, target):
        if entry.path == target:
            return entry, ws.blobs.open(entry.digest)
    return None


# ---- experiment tags and deleted runs (MLflow's lifecycle) -----------------------------
def set_experiment_tag(ws: Workspace, experiment_id: int, key: str, value: str) -> None:
    ws.store.get_experiment(experiment_id)
    ws.store.set_experiment_tag(experiment_id, key, value)


def delete_experiment_tag(ws: Workspace, experiment_id: int, key: str) -> None:
    ws.store.get_experiment(experiment_id)
    if not ws.store.delete_experiment_tag(experiment_id, key):
        raise ResourceNotFoundError(f"No tag with name: {key} in experiment {experiment_id}")


def experiment_tags_of(ws: Workspace, experiment_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    return ws.store.experiment_tags_of(experiment_ids)


def set_run_deleted(ws: Workspace, run_id: str, deleted: bool) -> None:
    """Soft delete: the run is hidden from the client's searches; its data stay."""
    ws.store.get_run(run_id)
    ws.store.set_run_deleted(run_id, deleted)


def deleted_run_ids(ws: Workspace, run_ids: Sequence[str]) -> set[str]:
    return ws.store.deleted_run_ids(run_ids)
