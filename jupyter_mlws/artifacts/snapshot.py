"""Snapshots of a source folder: what a run's code looked like when it was submitted.

A snapshot is a manifest (path → digest, size, mode) stored as a blob next to the file
contents; its id is the manifest's digest. Identical trees therefore share one id and
one manifest, and a file that did not change between runs is never stored twice.

Taking a snapshot is three passes, cheapest first: stat every file (and refuse an
oversized tree before any real work), hash only files whose stat changed since the
last snapshot (the stat cache), then store only content the blob store lacks.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import time
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO, NamedTuple, TypeVar

from jupyter_mlws.artifacts.blobs import CHUNK_SIZE, BlobStore, file_digest, validate_digest
from jupyter_mlws.artifacts.ignore import IGNORE_FILENAME, load_ignore_rules
from jupyter_mlws.artifacts.limits import check_limits, stop_counting_after
from jupyter_mlws.artifacts.manifest import decode_manifest, encode_manifest
from jupyter_mlws.artifacts.statcache import CachedStat, CacheRow, StatCache, is_racy
from jupyter_mlws.artifacts.statcache import sidecar_paths as cache_files
from jupyter_mlws.artifacts.tree import ScannedFile, scan_tree
from jupyter_mlws.config import SnapshotLimits
from jupyter_mlws.entities import FileEntry
from jupyter_mlws.exceptions import (
    InvalidParameterError,
    ResourceConflictError,
    ResourceNotFoundError,
)

_T = TypeVar("_T")
_R = TypeVar("_R")

LOCAL_WORKERS = min(8, (os.cpu_count() or 1) + 2)
"""Threads for hashing and copying big local files: hashlib and file I/O drop the GIL."""
REMOTE_WORKERS = 16
"""Threads for object stores, where each request waits mostly on the network."""
POOL_MIN_BYTES = 1024 * 1024
"""Smaller local files are handled inline: a thread hop costs more than the work."""

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # a fixed date keeps the zip of a snapshot reproducible


@dataclass(frozen=True)
class Snapshot:
    """A stored snapshot: its id (the manifest's digest) and what it holds."""

    id: str
    files: list[FileEntry]
    total_bytes: int


class _Item(NamedTuple):
    """A scanned file with its digest; ``hashed`` when it was read in this snapshot."""

    file: ScannedFile
    digest: str
    size: int
    hashed: bool
    stored: bool


def take_snapshot(
    source_dir: Path,
    blobs: BlobStore,
    *,
    limits: SnapshotLimits | None = None,
    cache_path: Path | None = None,
) -> Snapshot:
    """Snapshot ``source_dir`` into ``blobs`` and return it.

    ``cache_path`` names the stat cache (a sqlite3 file, e.g. inside ``.mlws/``); without
    it every file is hashed. Raises ``InvalidParameterError`` for a missing source
    folder and ``SnapshotTooLargeError`` (before anything is stored) over the limits.
    """
    root = _source_root(source_dir)
    limits = limits if limits is not None else SnapshotLimits()
    rules = load_ignore_rules(Path(root))
    exclude = _excluded_paths(blobs, cache_path)
    scan = scan_tree(root, rules, exclude=exclude, stop_after=stop_counting_after(limits))
    check_limits(root, scan, limits, rules)
    started_ns = time.time_ns()
    with _open_cache(cache_path) as cache:
        known = cache.load(root) if cache is not None else {}
        items = _digest_files(scan.files, known, blobs.url, root)
        _store_contents(items, blobs, root)
        snapshot = _store_manifest(items, blobs)
        if cache is not None:
            cache.update(*_cache_changes(items, known, blobs.url, started_ns))
    return snapshot


def load_manifest(blobs: BlobStore, snapshot_id: str) -> list[FileEntry]:
    """The files of a snapshot, sorted by path (validated: safe to materialize)."""
    try:
        validate_digest(snapshot_id)
    except InvalidParameterError:
        raise InvalidParameterError(
            f"invalid snapshot id {snapshot_id!r}: expected 64 lowercase hexadecimal characters"
        ) from None
    try:
        data = blobs.get_bytes(snapshot_id)
    except ResourceNotFoundError:
        raise ResourceNotFoundError(f"snapshot {snapshot_id} not found in {blobs.url}") from None
    return decode_manifest(data, snapshot_id)


def materialize(blobs: BlobStore, snapshot_id: str, dest: Path) -> None:
    """Recreate a snapshot's tree, with file modes, in ``dest`` (missing or empty).

    Refusing a non-empty ``dest`` keeps a run's working folder exactly the snapshot,
    never a mix with leftovers.
    """
    entries = load_manifest(blobs, snapshot_id)
    dest = Path(dest).expanduser()
    _prepare_dest(dest)
    for folder in sorted({os.path.dirname(e.path) for e in entries} - {""}):
        os.makedirs(dest / folder, exist_ok=True)
    restore = partial(_restore, blobs, dest=dest)
    _run_all(restore, entries, lambda e: e.size, _workers(blobs), pool_small=not blobs.is_local)


def write_zip(blobs: BlobStore, snapshot_id: str, out: BinaryIO) -> None:
    """Write a snapshot as a zip archive to ``out`` (which may be unseekable).

    Files are streamed one at a time, so memory stays flat for big snapshots; modes are
    kept in the archive, and fixed dates make the same snapshot give the same bytes.
    """
    entries = load_manifest(blobs, snapshot_id)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in entries:
            info = zipfile.ZipInfo(_zip_name(entry.path), date_time=_ZIP_DATE)
            info.external_attr = (stat.S_IFREG | entry.mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size = entry.size  # lets zipfile choose zip64 up front for big files
            with blobs.open(entry.digest) as src, archive.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, CHUNK_SIZE)


def _zip_name(path: str) -> str:
    """Zip names are UTF-8: a file name that is not (a surrogate escape) gets U+FFFD."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# -- taking a snapshot -----------------------------------------------------------------


def _source_root(source_dir: Path) -> str:
    path = Path(source_dir).expanduser()
    if not path.exists():
        raise InvalidParameterError(f"cannot snapshot {path}: the folder does not exist")
    if not path.is_dir():
        raise InvalidParameterError(
            f"cannot snapshot {path}: it is a file, not a folder; pass the folder that holds it"
        )
    return os.path.realpath(path)


def _excluded_paths(blobs: BlobStore, cache_path: Path | None) -> frozenset[str]:
    """The stat cache and a local blob store never snapshot themselves."""
    paths: list[str] = []
    if cache_path is not None:
        paths += cache_files(Path(os.path.realpath(cache_path)))
    if blobs.local_root is not None:
        paths.append(os.path.realpath(blobs.local_root))
    return frozenset(paths)


def _open_cache(cache_path: Path | None) -> contextlib.AbstractContextManager[StatCache | None]:
    if cache_path is None:
        return contextlib.nullcontext(None)
    return StatCache(Path(cache_path))


def _digest_files(
    files: list[ScannedFile], known: dict[str, CachedStat], store_url: str, root: str
) -> list[_Item]:
    """Digests from the cache where the stat is unchanged; hash the rest."""
    items: list[_Item] = []
    to_hash: list[ScannedFile] = []
    for f in files:
        cached = known.get(f.abs)
        if cached is not None and cached.matches(f.size, f.mtime_ns, f.ino):
            stored = cached.stored_in == store_url
            items.append(_Item(f, cached.digest, f.size, hashed=False, stored=stored))
        else:
            to_hash.append(f)
    hash_one = partial(_hash, root=root)
    hashed = _run_all(hash_one, to_hash, lambda f: f.size, LOCAL_WORKERS, pool_small=False)
    return items + [item for item in hashed if item is not None]


def _hash(f: ScannedFile, root: str) -> _Item | None:
    """The file with its digest and size as read; None when it vanished since the walk."""
    try:
        digest, size = file_digest(f.abs)
        return _Item(f, digest, size, hashed=True, stored=False)
    except FileNotFoundError:
        return None  # deleted meanwhile (an editor's swap file): not in this snapshot
    except PermissionError:
        raise InvalidParameterError(
            f"cannot read {f.rel} (permission denied); make it readable or add it to "
            f"{IGNORE_FILENAME} (gitignore syntax) in {root}"
        ) from None


def _store_contents(items: list[_Item], blobs: BlobStore, root: str) -> None:
    """Store each digest not known to be in the store, once, from any of its files."""
    pending: dict[str, _Item] = {}
    for item in items:
        if not item.stored:
            pending.setdefault(item.digest, item)
    put = partial(_put, blobs, root=root)
    # Each local write waits on its fsync: overlapping them lets the filesystem commit
    # many at once, so even small files are worth a thread then.
    pool_small = not blobs.is_local or blobs.fsync
    _run_all(put, list(pending.values()), lambda i: i.size, _workers(blobs), pool_small=pool_small)


def _put(blobs: BlobStore, item: _Item, root: str) -> None:
    try:
        blobs.put_file_as(item.file.abs, item.digest)
    except (ResourceConflictError, FileNotFoundError):
        raise ResourceConflictError(
            f"{item.file.rel} changed while the snapshot was taken; try again, or if it is "
            f"written continuously add it to {IGNORE_FILENAME} (gitignore syntax) in {root}"
        ) from None


def _store_manifest(items: list[_Item], blobs: BlobStore) -> Snapshot:
    entries = [FileEntry(i.file.rel, i.digest, i.size, i.file.mode) for i in items]
    entries.sort(key=lambda e: e.path)
    snapshot_id = blobs.put_bytes(encode_manifest(entries))
    return Snapshot(snapshot_id, entries, sum(e.size for e in entries))


def _cache_changes(
    items: list[_Item], known: dict[str, CachedStat], store_url: str, started_ns: int
) -> tuple[list[CacheRow], list[str]]:
    """Rows to write (new digests, newly stored) and to delete (gone or untrustworthy)."""
    upserts: list[CacheRow] = []
    deletes: list[str] = []
    for item in items:
        f = item.file
        if not item.hashed and item.stored:
            continue  # unchanged, and the row already says it is stored here
        if item.size != f.size or is_racy(f.mtime_ns, started_ns):
            if f.abs in known:
                deletes.append(f.abs)
            continue
        upserts.append(CacheRow(f.abs, f.size, f.mtime_ns, f.ino, item.digest, store_url))
    seen = {item.file.abs for item in items}
    deletes += [path for path in known if path not in seen]
    return upserts, deletes


# -- reading a snapshot back -----------------------------------------------------------


def _prepare_dest(dest: Path) -> None:
    if dest.exists() and not dest.is_dir():
        raise InvalidParameterError(f"cannot materialize into {dest}: it is a file")
    if dest.is_dir():
        with os.scandir(dest) as entries:
            if next(entries, None) is not None:
                raise InvalidParameterError(
                    f"cannot materialize into {dest}: the folder is not empty; use a new "
                    "or empty folder"
                )
    dest.mkdir(parents=True, exist_ok=True)


def _restore(blobs: BlobStore, entry: FileEntry, dest: Path) -> None:
    target = dest / entry.path
    blobs.get_file(entry.digest, target)
    os.chmod(target, entry.mode)


# -- helpers ---------------------------------------------------------------------------


def _workers(blobs: BlobStore) -> int:
    return LOCAL_WORKERS if blobs.is_local else REMOTE_WORKERS


def _run_all(
    fn: Callable[[_T], _R],
    items: Sequence[_T],
    size_of: Callable[[_T], int],
    workers: int,
    *,
    pool_small: bool,
) -> list[_R]:
    """``fn`` over ``items`` (results in no particular order), on threads where they pay.

    Big files always go to the pool. Small ones run inline unless ``pool_small``
    (network requests, fsync waits): handing a small file that is only read or copied
    to a thread costs more than the work itself.
    """
    if pool_small:
        return _parallel(fn, items, workers)
    small = [item for item in items if size_of(item) < POOL_MIN_BYTES]
    big = [item for item in items if size_of(item) >= POOL_MIN_BYTES]
    return [fn(item) for item in small] + _parallel(fn, big, workers)


def _parallel(fn: Callable[[_T], _R], items: Sequence[_T], workers: int) -> list[_R]:
    """``[fn(x) for x in items]`` on a thread pool; the first error is raised."""
    if workers <= 1 or len(items) <= 1:
        return [fn(item) for item in items]
    pool = ThreadPoolExecutor(max_workers=min(workers, len(items)))
    try:
        return list(pool.map(fn, items))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
