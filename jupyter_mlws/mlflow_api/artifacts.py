"""MLflow's proxied artifact API (``/api/2.0/mlflow-artifacts/artifacts/...``) over a
run's files.

A run's ``artifact_uri`` is ``mlflow-artifacts:/<experiment>/<run>/artifacts``; the
client turns it into URLs under the tracking URI. Each path is read here as that run
and a relative path inside it: a path that names another location (``..``, absolute,
another experiment's run) is refused, so no request can read or write outside a run.
``models/<name>/<version>[/rel]`` is a registered model version's files, read-only (the
download URI of ``models:/name/1``).
"""

from __future__ import annotations

from typing import IO, Any

from jupyter_mlws.entities import FileEntry
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.services import client_models, client_runs
from jupyter_mlws.services import runs as run_service
from jupyter_mlws.tracking.run_files import clean_artifact_path
from jupyter_mlws.workspace import Workspace

MODELS_PREFIX = "models"


def _model_files(ws: Workspace, path: str) -> tuple[str, list[FileEntry]] | None:
    """(rel, the version's files) of a ``models/<name>/<version>[/rel]`` path, else None."""
    parts = (path or "").strip("/").split("/", 3)
    if parts[0] != MODELS_PREFIX:
        return None
    if len(parts) < 3 or not parts[2].isdigit():
        raise InvalidParameterError("Invalid path: models/<name>/<version>[/path]")
    rel = parts[3].strip("/") if len(parts) == 4 else ""
    if rel:
        try:
            rel = clean_artifact_path(rel)
        except InvalidParameterError:
            raise InvalidParameterError("Invalid path") from None
    _, files = client_models.model_files(ws, parts[1], int(parts[2]))
    return rel, files


def locate(ws: Workspace, path: str, *, folder: bool = False) -> tuple[str, str]:
    """``<exp>/<run>/artifacts[/rel]`` → (run id, rel); ``rel`` may be empty for a folder."""
    parts = (path or "").strip("/").split("/", 3)
    if len(parts) < 3 or parts[2] != "artifacts" or not parts[0].isdigit():
        raise InvalidParameterError("Invalid path")
    experiment, run_id = int(parts[0]), parts[1]
    rel = parts[3].strip("/") if len(parts) == 4 else ""
    if rel:
        try:
            rel = clean_artifact_path(rel)
        except InvalidParameterError:
            raise InvalidParameterError("Invalid path") from None
    elif not folder:
        raise InvalidParameterError("Invalid path: name a file of the run")
    try:
        record = run_service.get_record(ws, run_id)
    except ResourceNotFoundError:
        raise ResourceNotFoundError(f"Run with id={run_id} not found") from None
    if record.experiment_id != experiment:
        raise ResourceNotFoundError(f"Run {run_id} is not in experiment {experiment}")
    return run_id, rel


def _read_only(path: str) -> None:
    if (path or "").strip("/").split("/", 1)[0] == MODELS_PREFIX:
        raise InvalidParameterError("A registered model version's files cannot be changed")


def upload(ws: Workspace, path: str, stream: IO[bytes]) -> dict[str, Any]:
    _read_only(path)
    run_id, rel = locate(ws, path)
    client_runs.upload_artifact(ws, run_id, rel, stream)
    return {}


def open_file(ws: Workspace, path: str) -> tuple[FileEntry, IO[bytes]]:
    model = _model_files(ws, path)
    if model is not None:
        rel, files = model
        for entry in files:
            if entry.path == rel:
                return entry, client_models.open_file(ws, entry)
        raise ResourceNotFoundError(f"File {rel} does not exist in {path}")
    run_id, rel = locate(ws, path)
    found = client_runs.open_artifact(ws, run_id, rel)
    if found is None:
        raise ResourceNotFoundError(f"File {rel} does not exist in run {run_id}")
    return found


def list_folder(ws: Workspace, path: str) -> dict[str, Any]:
    """The folder's direct children as MLflow lists them (names relative to it)."""
    model = _model_files(ws, path)
    if model is not None:
        rel, entries = model
    else:
        run_id, rel = locate(ws, path, folder=True)
        entries = client_runs.list_artifacts(ws, run_id, f"{rel}/" if rel else "")
    prefix = f"{rel}/" if rel else ""
    files: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if not entry.path.startswith(prefix):
            continue
        name, slash, _ = entry.path[len(prefix) :].partition("/")
        if slash:
            files.setdefault(name, {"path": name, "is_dir": True})
        else:
            files[name] = {"path": name, "is_dir": False, "file_size": entry.size}
    return {"files": [files[name] for name in sorted(files)]} if files else {}


def delete(ws: Workspace, path: str) -> dict[str, Any]:
    _read_only(path)
    run_id, _ = locate(ws, path, folder=True)
    raise InvalidParameterError(
        f"The files of run {run_id} cannot be deleted: a run's files are kept as it logged them"
    )
