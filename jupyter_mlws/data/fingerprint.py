"""What a path pattern matches on a datastore, and a fingerprint of it.

Only listing metadata is used (size plus the store's change token: the etag where the
store has one, else the modification time), never file content, so fingerprinting a
prefix of 10,000 objects costs ten list calls on S3, not 10,000 reads.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from fsspec.utils import glob_translate

from jupyter_mlws.data.filesystems import translated
from jupyter_mlws.entities import DatasetFile
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError

GLOB_CHARS = frozenset("*?[")
# The first of these that a store's listing has is the file's change token.
TOKEN_KEYS = ("ETag", "etag", "md5Hash", "generation", "mtime", "LastModified", "last_modified")


def split_pattern(pattern: str) -> tuple[str, bool]:
    """``images/2024/**/*.png`` → (``images/2024``, True): the folder that every match is
    relative to, and whether the pattern has wildcards."""
    parts = [p for p in pattern.strip("/").split("/") if p not in ("", ".")]
    if ".." in parts:
        raise InvalidParameterError(f"path pattern {pattern!r} must stay inside the datastore")
    base: list[str] = []
    for part in parts:
        if GLOB_CHARS & set(part):
            return "/".join(base), True
        base.append(part)
    return "/".join(base), False


def list_matches(fs: Any, root: str, pattern: str, what: str) -> list[DatasetFile]:
    """The files ``pattern`` matches under ``root``, sorted, with size and change token."""
    base, has_glob = split_pattern(pattern)
    base_path = f"{root}/{base}".rstrip("/") if base else root
    full = f"{root}/{pattern.strip('/')}" if pattern.strip("/") else root
    fs.invalidate_cache()  # listings must be fresh: a fingerprint is about now

    def listing() -> dict[str, Any]:
        if has_glob:
            # One recursive listing of the base, filtered here: fs.glob lists again
            # (directories too), which doubles the calls on an object store.
            matches = re.compile(glob_translate(full)).match
            try:
                found = fs.find(base_path, detail=True)
            except FileNotFoundError:
                return {}
            return {p: i for p, i in found.items() if matches(str(p))}
        try:
            info = fs.info(base_path)
        except FileNotFoundError:
            return {}
        if info.get("type") == "file":
            return {base_path: info}
        return dict(fs.find(base_path, detail=True))

    found = translated(what, listing)
    files = []
    for path, info in found.items():
        if info.get("type", "file") != "file":
            continue
        path = str(path)
        if path == base_path:  # a single file: named by itself
            rel = path.rsplit("/", 1)[-1]
        else:
            rel = path[len(base_path) :].lstrip("/") if path.startswith(base_path) else path
        files.append(DatasetFile(rel, int(info.get("size") or 0), change_token(info)))
    if not files:
        raise ResourceNotFoundError(f"{what}: path pattern {pattern!r} matches no files")
    files.sort(key=lambda f: f.path)
    return files


def change_token(info: Mapping[str, Any]) -> str:
    for key in TOKEN_KEYS:
        value = info.get(key)
        if value not in (None, ""):
            return str(value).strip('"')
    return ""


def fingerprint(files: Iterable[DatasetFile]) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(f"{f.path}\t{f.size}\t{f.token}\n".encode())
    return digest.hexdigest()


def describe_change(before: list[DatasetFile], after: list[DatasetFile]) -> str:
    """``2 changed, 1 added, 0 removed``: what a user needs to judge a stale version."""
    old = {f.path: f for f in before}
    new = {f.path: f for f in after}
    changed = sum(1 for p in old.keys() & new.keys() if old[p] != new[p])
    added = len(new.keys() - old.keys())
    removed = len(old.keys() - new.keys())
    return f"{changed} changed, {added} added, {removed} removed"
