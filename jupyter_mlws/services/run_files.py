"""A run's files for the front doors: artifact listings and downloads, output notebooks
opened in JupyterLab, and snapshots as zip archives.

Paths are checked by ``clean_artifact_path`` and then looked up in the run's manifest:
only a file the run recorded can be read, so nothing outside the run is reachable.
"""

from __future__ import annotations

import mimetypes
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO, cast

from jupyter_mlws.artifacts import write_zip
from jupyter_mlws.artifacts.confine import open_beneath
from jupyter_mlws.entities import FileEntry
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.tracking import Run
from jupyter_mlws.tracking.run_files import clean_artifact_path
from jupyter_mlws.workspace import Workspace

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    size: int
    digest: str


def list_artifacts(ws: Workspace, run_id: str, prefix: str) -> list[dict[str, Any]]:
    if prefix:
        clean_artifact_path(prefix.rstrip("/") or ".")
    return [e.to_dict() for e in ws.store.list_artifacts(run_id, prefix)]


def artifact(ws: Workspace, run_id: str, path: str) -> Download:
    entry = Run(ws, run_id).get_file(path)  # validates the path, 404 if not recorded
    return _download(entry)


def open_blob(ws: Workspace, digest: str) -> IO[bytes]:
    return ws.blobs.open(digest)


def _download(entry: FileEntry) -> Download:
    name = PurePosixPath(entry.path).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Download(name, content_type, entry.size, entry.digest)


def open_output_notebook(ws: Workspace, run_id: str, path: str, root_dir: Path, folder: str) -> str:
    """Copy a run's notebook into the server's folder tree; returns its contents path."""
    if not path.endswith(".ipynb"):
        raise InvalidParameterError(f"{path!r} is not a notebook (.ipynb)")
    entry = Run(ws, run_id).get_file(path)
    record = ws.store.get_run(run_id)
    try:
        base = clean_artifact_path(folder.strip("/"))
    except InvalidParameterError:
        raise InvalidParameterError(
            f"outputs folder {folder!r} must be inside the server root"
        ) from None
    run_folder = _UNSAFE_NAME.sub("_", f"{record.experiment_name}-{record.number}")
    rel = f"{base}/{run_folder}/{clean_artifact_path(entry.path)}"
    # open_beneath refuses a symbolic link anywhere below the root (a planted
    # mlws-outputs/exp-1 -> /elsewhere), so the copy never lands outside it.
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = open_beneath(os.path.realpath(root_dir), rel, flags, make_dirs=True)
    with ws.blobs.open(entry.digest) as src, os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(src, out)
    return rel


def snapshot_name(ws: Workspace, run_id: str) -> tuple[str, str]:
    """The snapshot id of a run and the file name to download it as."""
    record = ws.store.get_run(run_id)
    if record.snapshot_id is None:
        raise ResourceNotFoundError(f"run {run_id} has no snapshot (it ran interactively)")
    name = _UNSAFE_NAME.sub("_", f"{record.experiment_name}-{record.number}-snapshot.zip")
    return record.snapshot_id, name


def write_snapshot_zip(ws: Workspace, snapshot_id: str, out: IO[bytes]) -> None:
    write_zip(ws.blobs, snapshot_id, cast(BinaryIO, out))
