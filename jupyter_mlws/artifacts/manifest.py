"""The snapshot manifest: canonical JSON listing path → (digest, size, mode).

Canonical (sorted paths, sorted keys, no whitespace, ASCII-only escapes) so that the
same tree always gives the same bytes and therefore the same snapshot id. A manifest
read back is validated strictly: it decides where files are written on
``materialize``, so a path like ``../../.bashrc`` must be refused, not followed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any, TypeGuard

from jupyter_mlws.artifacts.blobs import is_digest
from jupyter_mlws.entities import FileEntry
from jupyter_mlws.exceptions import InvalidParameterError

MANIFEST_FORMAT = "mlws-snapshot/1"


def encode_manifest(entries: Iterable[FileEntry]) -> bytes:
    """Canonical bytes for a set of entries (sorted by path)."""
    files = [e.to_dict() for e in sorted(entries, key=lambda e: e.path)]
    document = {"format": MANIFEST_FORMAT, "files": files}
    # ensure_ascii keeps undecodable file names (surrogate escapes) representable
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("ascii")


def decode_manifest(data: bytes, snapshot_id: str) -> list[FileEntry]:
    """Parse and validate manifest bytes; ``InvalidParameterError`` when malformed."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _invalid(snapshot_id, "not JSON") from None
    if not isinstance(document, dict) or document.get("format") != MANIFEST_FORMAT:
        raise _invalid(snapshot_id, f"not a {MANIFEST_FORMAT} manifest")
    files = document.get("files")
    if not isinstance(files, list):
        raise _invalid(snapshot_id, "'files' is not a list")
    entries = [_entry(item, snapshot_id) for item in files]
    _check_tree_shape(entries, snapshot_id)
    return entries


def _entry(item: Any, snapshot_id: str) -> FileEntry:
    if not isinstance(item, dict):
        raise _invalid(snapshot_id, f"entry {item!r} is not an object")
    path, digest, size, mode = (item.get(k) for k in ("path", "digest", "size", "mode"))
    if not isinstance(path, str) or not is_safe_relative_path(path):
        raise _invalid(snapshot_id, f"unsafe or malformed path {path!r}")
    if not _is_int(size) or size < 0:
        raise _invalid(snapshot_id, f"bad size {size!r} for {path!r}")
    if not _is_int(mode) or not 0 <= mode <= 0o777:
        raise _invalid(snapshot_id, f"bad mode {mode!r} for {path!r}")
    if not isinstance(digest, str) or not is_digest(digest):
        raise _invalid(snapshot_id, f"bad digest {digest!r} for {path!r}")
    return FileEntry(path=path, digest=digest, size=size, mode=mode)


def is_safe_relative_path(path: str) -> bool:
    """Relative, posix, no empty, ``.`` or ``..`` parts, no NUL: stays inside its folder.

    On Windows a backslash or a drive colon would also leave the folder; elsewhere they
    are ordinary file-name characters and must round-trip.
    """
    if not path or path.startswith("/") or "\x00" in path:
        return False
    if os.name == "nt" and ("\\" in path or ":" in path):
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def _check_tree_shape(entries: list[FileEntry], snapshot_id: str) -> None:
    """No path twice, and no file that is also another file's folder."""
    paths = set()
    for entry in entries:
        if entry.path in paths:
            raise _invalid(snapshot_id, f"{entry.path!r} is listed twice")
        paths.add(entry.path)
    for path in paths:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in paths:
                raise _invalid(snapshot_id, f"{path!r} is inside the file {folder!r}")


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _invalid(snapshot_id: str, reason: str) -> InvalidParameterError:
    return InvalidParameterError(f"{snapshot_id} is not a valid snapshot: {reason}")
