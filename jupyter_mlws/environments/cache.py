"""The build cache: one virtualenv per lock hash, on this machine.

``<cache>/<lock hash>/`` is a complete build; nothing else there is ever used. A build
is made in ``<cache>/.tmp-<key>-<random>/`` and renamed into place only when complete,
so a killed build is never used; the next build of the same key removes its leftovers.
Builds of one key are serialised by a file lock (``<cache>/.locks/<key>``): two runs
needing the same build start one build, and the second waits for it.

The cache folder is ``$MLWS_ENV_CACHE``, else ``$XDG_CACHE_HOME/mlws/environments``
(``~/.cache/…``): per machine and shared by workspaces, since a lock hash names the
same packages everywhere. A Dask worker fills its own.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENV_CACHE = "MLWS_ENV_CACHE"
META = ".mlws-build.json"
USED = ".mlws-last-used"


def cache_root() -> Path:
    explicit = os.environ.get(ENV_CACHE)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mlws" / "environments"


@dataclass(frozen=True)
class CachedBuild:
    path: Path
    lock_hash: str
    size_bytes: int
    last_used_s: float
    meta: dict[str, Any]


class BuildCache:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or cache_root()

    def path(self, lock_hash: str) -> Path:
        return self.root / lock_hash

    def has(self, lock_hash: str) -> bool:
        return (self.path(lock_hash) / META).is_file()

    @contextlib.contextmanager
    def locked(self, key: str) -> Iterator[None]:
        folder = self.root / ".locks"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / key, "a+") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                self._remove_leftovers(key)
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _remove_leftovers(self, key: str) -> None:
        """Holding the key's lock, no one else is building it: its temp folders are dead."""
        for stale in self.root.glob(f".tmp-{key}-*"):
            shutil.rmtree(stale, ignore_errors=True)

    def temp_dir(self, key: str) -> Path:
        return self.root / f".tmp-{key}-{uuid.uuid4().hex[:8]}"

    def commit(self, temp: Path, lock_hash: str, meta: dict[str, Any]) -> Path:
        """Mark ``temp`` complete and rename it into place (a build already there wins)."""
        final = self.path(lock_hash)
        (temp / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if self.has(lock_hash):
            shutil.rmtree(temp, ignore_errors=True)
            return final
        if final.exists():  # an incomplete folder, never renamed: cannot be a build
            shutil.rmtree(final)
        os.rename(temp, final)
        self.touch(lock_hash)
        return final

    def touch(self, lock_hash: str) -> None:
        with contextlib.suppress(OSError):
            (self.path(lock_hash) / USED).touch()

    def builds(self) -> list[CachedBuild]:
        found: list[CachedBuild] = []
        if not self.root.is_dir():
            return found
        for folder in self.root.iterdir():
            if folder.name.startswith(".") or not (folder / META).is_file():
                continue
            try:
                meta = json.loads((folder / META).read_text(encoding="utf-8"))
                used = (folder / USED).stat().st_mtime
            except (OSError, ValueError):
                used, meta = 0.0, {}
            found.append(CachedBuild(folder, folder.name, folder_size(folder), used, meta))
        return found

    def remove(self, lock_hash: str) -> None:
        """Rename first, so that a half-deleted folder is never taken for a build."""
        final = self.path(lock_hash)
        if not final.exists():
            return
        doomed = self.root / f".tmp-deleted-{lock_hash}-{uuid.uuid4().hex[:8]}"
        os.rename(final, doomed)
        shutil.rmtree(doomed, ignore_errors=True)

    def prune(self, older_than_days: float | None, max_bytes: int | None) -> list[CachedBuild]:
        """Remove builds unused for ``older_than_days``, then the least recently used
        ones until the rest fit in ``max_bytes``. Returns what was removed."""
        builds = sorted(self.builds(), key=lambda b: b.last_used_s)
        removed: list[CachedBuild] = []
        now = time.time()
        keep: list[CachedBuild] = []
        for build in builds:
            if older_than_days is not None and now - build.last_used_s > older_than_days * 86400:
                removed.append(build)
            else:
                keep.append(build)
        if max_bytes is not None:
            total = sum(b.size_bytes for b in keep)
            while keep and total > max_bytes:
                oldest = keep.pop(0)
                total -= oldest.size_bytes
                removed.append(oldest)
        for build in removed:
            with self.locked(f"lock-{build.lock_hash}"):
                self.remove(build.lock_hash)
        return removed


def folder_size(folder: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total
