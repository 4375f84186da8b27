"""MLflow's proxied artifact API (``/api/2.0/mlflow-artifacts/artifacts/...``) over a
run's files.

A run's ``artifact_uri`` is ``mlflow-artifacts:/<experiment>/<run>/artifacts``; the
client turns it into URLs under the tracking URI. Each path is read here as that run
and a relative path inside it: a path that names another location (``..``, absolute,
another experiment's run) is refused, so no request can read or write outside a run.
"""

from __future__ import annotations

from typing import IO, Any

from jupyter_mlws.entities import FileEntry
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.services import client_runs
from jupyter_mlws.services import runs as run_service
from jupyter_mlws.tracking import Workspace
from jupyter_mlws.tracking.run_files import clean_artifact_path


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


def upload(ws: Workspace, path: str, stream: IO[bytes]) -> dict[str, Any]:
    run_id, rel = locate(ws, path)
    client_runs.upload_artifact(ws, run_id, rel, stream)
    return {}


def open_file(ws: Workspace, path: str) -> tuple[FileEntry, IO[bytes]]:
    run_id, rel = locate(ws, path)
    found = client_runs.open_artifact(ws, run_id, rel)
    if found is None:
        raise ResourceNotFoundError(f"File {rel} does not exist in run {run_id}")
    return found


def list_folder(ws: Workspace, path: str) -> dict[str, Any]:
    """The folder's direct children as MLflow lists them (names relative to it)."""
    run_id, rel = locate(ws, path, folder=True)
    prefix = f"{rel}/" if rel else ""
    files: dict[str, dict[str, Any]] = {}
    for entry in client_runs.list_artifacts(ws, run_id, prefix):
        name, slash, _ = entry.path[len(prefix) :].partition("/")
        if slash:
            files.setdefault(name, {"path": name, "is_dir": True})
        else:
            files[name] = {"path": name, "is_dir": False, "file_size": entry.size}
    return {"files": [files[name] for name in sorted(files)]} if files else {}


def delete(ws: Workspace, path: str) -> dict[str, Any]:
    run_id, _ = locate(ws, path, folder=True)
    raise InvalidParameterError(
        f"The files of run {run_id} cannot be deleted: a run's files are kept as it logged them"
    )
