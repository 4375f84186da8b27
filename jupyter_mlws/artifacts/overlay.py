"""Adding generated files to a snapshot without writing them into the user's folder.

A ``%%run`` cell becomes a script inside the snapshot of the notebook's folder; the
script exists only in the snapshot, never as a stray file next to the notebook.
"""

from __future__ import annotations

from collections.abc import Mapping

from jupyter_mlws.artifacts.blobs import BlobStore
from jupyter_mlws.artifacts.manifest import encode_manifest, is_safe_relative_path
from jupyter_mlws.artifacts.snapshot import Snapshot
from jupyter_mlws.entities import FileEntry
from jupyter_mlws.exceptions import InvalidParameterError


def add_files(snapshot: Snapshot, blobs: BlobStore, files: Mapping[str, bytes]) -> Snapshot:
    """A new snapshot: ``snapshot`` plus ``files`` (path → content), which win on clash."""
    added: dict[str, FileEntry] = {}
    for path, data in files.items():
        if not is_safe_relative_path(path):
            raise InvalidParameterError(f"cannot add {path!r} to a snapshot: unsafe path")
        added[path] = FileEntry(path, blobs.put_bytes(data), len(data), 0o644)
    entries = [e for e in snapshot.files if e.path not in added] + list(added.values())
    entries.sort(key=lambda e: e.path)
    snapshot_id = blobs.put_bytes(encode_manifest(entries))
    return Snapshot(snapshot_id, entries, sum(e.size for e in entries))
