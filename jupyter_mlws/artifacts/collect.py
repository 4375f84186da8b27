"""Collecting a folder (a run's ``outputs/``) into blobs, never reading outside it.

The folder is walked like a snapshot's source (``tree.scan_tree``, nothing ignored)
and every file is opened with ``confine.open_beneath``, so neither a link planted by
the run's code (``os.symlink("/etc/passwd", "outputs/p")``) nor one swapped in while
we collect can make a file from elsewhere an artifact.

Links: a link whose target is inside the folder is stored as the *content* of its
target (artifacts are plain files, and so are their downloads). A link that points
outside the folder, even elsewhere in the run's working folder, is not collected; it
is listed in ``Collected.refused`` so the caller can say so in the run log. A folder
that is itself a link is refused as a whole.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_mlws.artifacts.blobs import BlobStore
from jupyter_mlws.artifacts.confine import PathEscapeError, open_beneath
from jupyter_mlws.artifacts.tree import scan_tree
from jupyter_mlws.entities import FileEntry


@dataclass
class Collected:
    entries: list[FileEntry] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    """Artifact paths left out: links (or a swapped-in file) leading outside the folder."""


def collect_folder(folder: Path, blobs: BlobStore, prefix: str) -> Collected:
    """Store every file under ``folder`` as ``prefix/<relative path>``, sorted by path."""
    collected = Collected()
    if folder.is_symlink():
        collected.refused.append(prefix)
        return collected
    root = os.path.realpath(folder)
    scan = scan_tree(root, None)
    collected.refused += [f"{prefix}/{rel}" for rel in scan.outside_links]
    for scanned in sorted(scan.files, key=lambda f: f.rel):
        name = f"{prefix}/{scanned.rel}"
        source = _inside(root, scanned.abs)
        try:
            entry = _store(blobs, root, source, name) if source is not None else None
        except FileNotFoundError:
            continue  # deleted while we collected: not an output
        if entry is None:
            collected.refused.append(name)
        else:
            collected.entries.append(entry)
    collected.refused.sort()
    return collected


def _inside(root: str, path: str) -> str | None:
    """The path of the real file behind ``path``, relative to ``root``; None outside it."""
    real = os.path.realpath(path)
    if not real.startswith(root + os.sep):
        return None
    return os.path.relpath(real, root).replace(os.sep, "/")


def _store(blobs: BlobStore, root: str, rel: str, name: str) -> FileEntry | None:
    try:
        fd = open_beneath(root, rel)
    except PathEscapeError:
        return None  # became a link (or a FIFO) after the walk: refused, not followed
    with os.fdopen(fd, "rb") as src:
        mode = stat.S_IMODE(os.fstat(fd).st_mode) & 0o777
        digest, size = blobs.put_stream(src)
    return FileEntry(name, digest, size, mode)
