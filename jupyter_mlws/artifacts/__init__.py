"""Content-addressed blobs and source snapshots (layer L1: no SQL, no runs).

Everything a run stores as bytes goes through a :class:`BlobStore`; a snapshot is a
manifest blob listing the blobs of a source folder's files.
"""

from jupyter_mlws.artifacts.blobs import BlobStore
from jupyter_mlws.artifacts.snapshot import (
    Snapshot,
    load_manifest,
    materialize,
    take_snapshot,
    write_zip,
)

__all__ = ["BlobStore", "Snapshot", "load_manifest", "materialize", "take_snapshot", "write_zip"]
