"""Moving model files between a local path and the blob store."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from jupyter_mlws.artifacts.blobs import BlobStore
from jupyter_mlws.artifacts.manifest import is_safe_relative_path
from jupyter_mlws.entities import FileEntry
from jupyter_mlws.exceptions import InvalidParameterError, ResourceAlreadyExistsError


def store_path(blobs: BlobStore, path: str | os.PathLike[str]) -> tuple[str, list[FileEntry]]:
    """Store a file or a folder; returns its name and its files (paths start with the name)."""
    source = Path(path).expanduser()
    if source.is_file():
        digest, size = blobs.put_file(source)
        return source.name, [FileEntry(source.name, digest, size, _mode(source))]
    if not source.is_dir():
        raise InvalidParameterError(f"cannot register {str(source)!r}: no such file or folder")
    root = source.resolve().name
    entries = []
    for file in sorted(p for p in source.rglob("*") if p.is_file()):
        digest, size = blobs.put_file(file)
        rel = f"{root}/{file.relative_to(source).as_posix()}"
        entries.append(FileEntry(rel, digest, size, _mode(file)))
    if not entries:
        raise InvalidParameterError(f"cannot register {str(source)!r}: the folder has no files")
    return root, entries


def write_files(
    blobs: BlobStore, entries: Sequence[FileEntry], target_dir: Path, *, exist_ok: bool = False
) -> list[Path]:
    """Copy files out under ``target_dir``; refuses to overwrite unless ``exist_ok``."""
    target_dir = Path(target_dir).expanduser()
    written = []
    for entry in entries:
        if not is_safe_relative_path(entry.path):
            raise InvalidParameterError(f"refusing to write the unsafe model path {entry.path!r}")
        dest = target_dir / entry.path
        if dest.exists() and not exist_ok:
            raise ResourceAlreadyExistsError(f"{dest} already exists (pass exist_ok/--force)")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            dest.chmod(0o644)
        blobs.get_file(entry.digest, dest)
        dest.chmod(entry.mode | 0o200)
        written.append(dest)
    return written


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777
