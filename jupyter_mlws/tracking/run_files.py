"""The files half of ``Run``: uploads, downloads and listings of a run's artifacts."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

from jupyter_mlws.artifacts.collect import collect_folder
from jupyter_mlws.entities import FileEntry
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError

if TYPE_CHECKING:
    from jupyter_mlws.tracking.workspace import Workspace

OUTPUTS = "outputs"  # collected when a run ends, as Azure ML does


def clean_artifact_path(name: str) -> str:
    """A relative posix path that stays inside the run: no '..', no absolute paths."""
    if not isinstance(name, str) or not name or "\x00" in name or "\\" in name:
        raise InvalidParameterError(f"invalid artifact path {name!r}")
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("..", "") for part in path.parts) or name.startswith("~"):
        raise InvalidParameterError(f"artifact path {name!r} must be relative and stay in the run")
    if path.as_posix() == ".":
        raise InvalidParameterError("artifact path must name a file, not the run folder")
    return path.as_posix()


class RunFiles:
    id: str
    workspace: Workspace

    def upload_file(
        self, name: str, path_or_stream: str | os.PathLike[str] | IO[bytes]
    ) -> FileEntry:
        target = clean_artifact_path(name)
        if isinstance(path_or_stream, (str, os.PathLike)):
            source = Path(path_or_stream)
            if not source.is_file():
                raise InvalidParameterError(f"upload_file: no such file {str(source)!r}")
            digest, size = self.workspace.blobs.put_file(source)
            mode = source.stat().st_mode & 0o777
        else:
            data = path_or_stream.read()
            digest, size, mode = self.workspace.blobs.put_bytes(data), len(data), 0o644
        entry = FileEntry(target, digest, size, mode)
        self.workspace.store.add_artifacts(self.id, [entry])
        return entry

    def _upload_bytes(self, name: str, data: bytes) -> None:
        digest = self.workspace.blobs.put_bytes(data)
        entry = FileEntry(clean_artifact_path(name), digest, len(data), 0o644)
        self.workspace.store.add_artifacts(self.id, [entry])

    def upload_folder(self, name: str, path: str | os.PathLike[str]) -> list[FileEntry]:
        """Upload a folder's files; links inside it that point outside it are left out
        (``artifacts.collect``: the same rule as a submitted run's ``outputs/``)."""
        folder = Path(path)
        if not folder.is_dir():
            raise InvalidParameterError(f"upload_folder: no such folder {str(folder)!r}")
        prefix = clean_artifact_path(name)
        collected = collect_folder(folder.resolve(), self.workspace.blobs, prefix)
        self.workspace.store.add_artifacts(self.id, collected.entries)
        return collected.entries

    def upload_files(self, items: Iterable[tuple[str, Path]]) -> list[FileEntry]:
        entries = []
        for name, source in items:
            digest, size = self.workspace.blobs.put_file(source)
            entries.append(
                FileEntry(clean_artifact_path(name), digest, size, source.stat().st_mode & 0o777)
            )
        self.workspace.store.add_artifacts(self.id, entries)
        return entries

    def _collect_outputs(self, folder: Path) -> None:
        """Store ``folder/outputs`` as the run's ``outputs/`` (once, as the run ends)."""
        outputs = folder / OUTPUTS
        if not outputs.is_dir():
            return
        try:
            # Not upload_folder: it resolves the path it is given, and an ``outputs`` that
            # is itself a link (to /etc, say) is refused whole here, as for submitted runs.
            collected = collect_folder(outputs, self.workspace.blobs, OUTPUTS)
            self.workspace.store.add_artifacts(self.id, collected.entries)
        except Exception as exc:  # ending the run must not fail; but say what was not kept
            print(
                f"[mlws] run {self.id}: could not collect {outputs}: {exc}",
                file=sys.stderr,
                flush=True,
            )

    def get_file_names(self, prefix: str = "") -> list[str]:
        return [e.path for e in self.workspace.store.list_artifacts(self.id, prefix)]

    def get_file(self, name: str) -> FileEntry:
        target = clean_artifact_path(name)
        for entry in self.workspace.store.list_artifacts(self.id, target):
            if entry.path == target:
                return entry
        raise ResourceNotFoundError(f"run {self.id} has no file {name!r}")

    def download_file(
        self, name: str, output_file_path: str | os.PathLike[str] | None = None
    ) -> Path:
        entry = self.get_file(name)
        dest = Path(output_file_path) if output_file_path else Path(PurePosixPath(entry.path).name)
        if dest.is_dir():
            dest = dest / PurePosixPath(entry.path).name
        dest.parent.mkdir(parents=True, exist_ok=True)
        self.workspace.blobs.get_file(entry.digest, dest)
        return dest

    def download_files(
        self, prefix: str = "", output_directory: str | os.PathLike[str] = "."
    ) -> list[Path]:
        out = Path(output_directory)
        paths = []
        for entry in self.workspace.store.list_artifacts(self.id, prefix):
            dest = out / clean_artifact_path(entry.path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            self.workspace.blobs.get_file(entry.digest, dest)
            paths.append(dest)
        return paths

    def read_file(self, name: str) -> bytes:
        return self.workspace.blobs.get_bytes(self.get_file(name).digest)
