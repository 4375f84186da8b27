"""Remember file digests by stat, so unchanged files are not read again.

Hashing is the expensive part of a snapshot; ``stat`` is cheap. Like git's index, the
cache maps an absolute path to ``(size, mtime_ns, inode) → digest`` and trusts the
digest while the stat is unchanged. It also remembers the blob store the digest was
stored in, so a re-snapshot need not ask a remote store about every file again.

Entries for files modified in the last ``RACY_WINDOW_NS`` are never written: a file
changed again within the same timestamp tick would keep its stat and fool the cache
(git's "racily clean" problem). Those few files are simply hashed again next time.

It is a cache: a corrupt or outdated file is deleted and rebuilt, never an error.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from jupyter_mlws.permissions import AccessModes

SCHEMA_VERSION = 1
RACY_WINDOW_NS = 2_000_000_000
"""Two seconds: covers coarse timestamps (FAT, some network filesystems) and clock skew."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    digest TEXT NOT NULL,
    stored_in TEXT
) WITHOUT ROWID
"""


class CachedStat(NamedTuple):
    """What was known about a file the last time it was hashed."""

    size: int
    mtime_ns: int
    ino: int
    digest: str
    stored_in: str | None

    def matches(self, size: int, mtime_ns: int, ino: int) -> bool:
        return self.size == size and self.mtime_ns == mtime_ns and self.ino == ino


class CacheRow(NamedTuple):
    """A row to write: ``path`` is absolute."""

    path: str
    size: int
    mtime_ns: int
    ino: int
    digest: str
    stored_in: str | None


def is_racy(mtime_ns: int, now_ns: int | None = None) -> bool:
    """True when a file changed too recently for its stat to be trusted later."""
    now = time.time_ns() if now_ns is None else now_ns
    return mtime_ns >= now - RACY_WINDOW_NS


class StatCache:
    """A small sqlite3 file; safe to share between processes and source folders.

    Best effort throughout: when the file cannot be opened or is locked for long, the
    cache behaves as empty and the snapshot hashes everything, which is slower but right.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        with contextlib.suppress(sqlite3.OperationalError, OSError):
            self._conn = self._open()

    def __enter__(self) -> StatCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def load(self, root: str) -> dict[str, CachedStat]:
        """All entries under the absolute folder ``root``, keyed by absolute path."""
        low, high = _prefix_range(root)
        query = (
            "SELECT path, size, mtime_ns, ino, digest, stored_in FROM files "
            "WHERE path >= ? AND path < ?"
        )
        if not _storable(root):
            return {}
        try:
            rows = self._connection().execute(query, (low, high)).fetchall()
        except sqlite3.Error as exc:
            self._recover(exc)
            return {}
        make = tuple.__new__  # CachedStat._make minus its Python-level checks: ~2x faster
        return {row[0]: make(CachedStat, row[1:]) for row in rows}

    def update(self, upserts: Iterable[CacheRow], deletes: Iterable[str]) -> None:
        """Write new entries and drop stale ones in one short transaction."""
        upserts = [row for row in upserts if _storable(row.path)]
        deletes = [path for path in deletes if _storable(path)]
        if not upserts and not deletes:
            return
        try:
            with self._connection() as conn:
                conn.executemany("DELETE FROM files WHERE path = ?", ((p,) for p in deletes))
                conn.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)",
                    upserts,
                )
        except sqlite3.Error as exc:
            self._recover(exc)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.OperationalError("stat cache unavailable")
        return self._conn

    def _recover(self, exc: sqlite3.Error) -> None:
        """Locked or unavailable: carry on uncached. Corrupt: start a fresh file."""
        if isinstance(exc, sqlite3.OperationalError) or self._conn is None:
            return
        self.close()
        with contextlib.suppress(sqlite3.OperationalError, OSError):
            _remove_database(self.path)
            self._conn = _connect(self.path)

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return _connect(self.path)
        except sqlite3.OperationalError:
            raise
        except sqlite3.DatabaseError:  # "file is not a database", "malformed"
            _remove_database(self.path)
            return _connect(self.path)


def _connect(path: Path) -> sqlite3.Connection:
    """Open the file and create (or, after a format change, recreate) the table."""
    with contextlib.suppress(FileExistsError):  # as private as its folder, not 0644
        os.close(
            AccessModes.like(path.parent).create_file(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        )
    conn = sqlite3.connect(path, timeout=10)
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            with conn:
                conn.execute("DROP TABLE IF EXISTS files")
                conn.execute(_SCHEMA)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.close()
        raise
    return conn


def _storable(path: str) -> bool:
    """sqlite stores UTF-8: names that are not (surrogate escapes) are just not cached."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _prefix_range(root: str) -> tuple[str, str]:
    """``[root/, root0)``: every path under ``root`` and nothing else ('0' follows '/')."""
    prefix = root.rstrip(os.sep) + os.sep
    return prefix, prefix[:-1] + chr(ord(os.sep) + 1)


def sidecar_paths(path: Path) -> Iterator[str]:
    """The cache file and the journal files sqlite may create next to it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        yield f"{path}{suffix}"


def _remove_database(path: Path) -> None:
    for name in sidecar_paths(path):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
