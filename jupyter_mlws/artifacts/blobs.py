"""Content-addressed blobs: the bytes behind snapshots and run artifacts.

A blob is named by the sha256 hex digest of its content, so the same content is stored
once however many snapshots or runs refer to it, and a blob can never be overwritten
with different bytes. Storage goes through fsspec so that a team can point the
workspace at S3, Azure Blob or GCS; the local filesystem gets a fast path because it
is the default and the hot path for snapshots.

Layout: ``<root>/<digest[:2]>/<digest[2:]>`` (256 fan-out folders keep directories
small on local disks and listings cheap on object stores).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import fsspec
from fsspec.implementations.local import LocalFileSystem

from jupyter_mlws.exceptions import (
    InvalidParameterError,
    ResourceConflictError,
    ResourceNotFoundError,
)
from jupyter_mlws.permissions import AccessModes

CHUNK_SIZE = 1024 * 1024
"""Read size for hashing and copying: large enough to amortise syscalls, small in RAM."""

SMALL_UPLOAD_LIMIT = 16 * 1024 * 1024
"""Remote uploads up to this size are read into memory once, verified, then put."""

_DIGEST_RE = re.compile(r"[0-9a-f]{64}")


def is_digest(value: str) -> bool:
    """True for a well-formed digest: 64 lowercase hex characters."""
    return _DIGEST_RE.fullmatch(value) is not None


def validate_digest(digest: str) -> str:
    """Refuse anything but 64 lowercase hex characters.

    Digests become path components, so this is also what stops path traversal
    (``../../etc/passwd``) through an id that came from a URL or a manifest.
    """
    if not isinstance(digest, str) or not is_digest(digest):
        raise InvalidParameterError(
            f"invalid blob digest {digest!r}: expected 64 lowercase hexadecimal characters "
            "(a sha256 digest)"
        )
    return digest


def file_digest(path: str | os.PathLike[str]) -> tuple[str, int]:
    """sha256 hex digest and size of a file, streamed in 1 MiB chunks (constant memory).

    Plain ``read`` rather than ``readinto`` a preallocated buffer: a fresh 1 MiB
    bytearray per call costs more than hashing a typical small source file.
    """
    hasher = hashlib.sha256()
    size = 0
    with open(path, "rb", buffering=0) as src:
        while chunk := src.read(CHUNK_SIZE):
            hasher.update(chunk)
            size += len(chunk)
    return hasher.hexdigest(), size


class BlobStore:
    """Content-addressed blob storage rooted at a local path or an fsspec URL.

    ``fsync`` (local stores only) flushes each new blob to disk before it is renamed
    into place, so that even a power loss cannot leave a truncated blob under a digest
    that every later ``exists`` check would trust.

    ``modes`` (local stores only) decides who may read the blobs: by default only the
    owner (folders 0700, blobs 0400), whatever the source file's mode or the umask.
    """

    def __init__(
        self,
        url: str,
        *,
        fsync: bool = True,
        storage_options: dict[str, Any] | None = None,
        modes: AccessModes | None = None,
    ) -> None:
        if not isinstance(url, str) or not url:
            raise InvalidParameterError("blob store URL must be a non-empty string")
        fs, root = fsspec.core.url_to_fs(url, **(storage_options or {}))
        self.url = url
        self._fs = fs
        self._fsync = fsync
        self._modes = modes if modes is not None else AccessModes()
        self._made_dirs: set[str] = set()
        self._local_root: Path | None = None
        if isinstance(fs, LocalFileSystem):
            self._local_root = _absolute_local_root(url, root)
        self._root = str(root).rstrip("/")

    def __repr__(self) -> str:
        return f"BlobStore({self.url!r})"

    @property
    def is_local(self) -> bool:
        """True when blobs are plain files on this machine (enables the fast paths)."""
        return self._local_root is not None

    @property
    def fsync(self) -> bool:
        """Whether local writes are flushed to disk before they are renamed into place."""
        return self._fsync

    @property
    def local_root(self) -> Path | None:
        """The root folder of a local store, else None."""
        return self._local_root

    # -- writing -------------------------------------------------------------------

    def put_bytes(self, data: bytes) -> str:
        """Store ``data`` (once) and return its digest."""
        digest = hashlib.sha256(data).hexdigest()
        if self.exists(digest):
            return digest
        if self._local_root is not None:
            self._write_local(digest, lambda dst: dst.write(data))
        else:
            self._makedirs_remote(digest)
            self._fs.pipe_file(self._remote_path(digest), bytes(data))
        return digest

    def put_file(self, path: str | os.PathLike[str]) -> tuple[str, int]:
        """Store a file and return ``(digest, size)``.

        Hashing first means content that is already stored is never uploaded again,
        which is the common case for snapshots of a mostly unchanged project.
        """
        digest, size = file_digest(path)
        self.put_file_as(path, digest)
        return digest, size

    def put_file_as(self, path: str | os.PathLike[str], digest: str) -> None:
        """Store a file whose digest is already known (e.g. from a stat cache).

        The content is re-hashed while it is copied (it is being read anyway), so a file
        that changed since its digest was computed is refused with
        ``ResourceConflictError`` instead of being stored under the wrong name.
        """
        validate_digest(digest)
        if self.exists(digest):
            return
        if self._local_root is not None:
            self._write_local(digest, lambda dst: _copy_verified(path, dst, digest))
        else:
            self._upload_remote(path, digest)

    def put_stream(self, src: IO[bytes]) -> tuple[str, int]:
        """Store the rest of an open binary file and return ``(digest, size)``.

        One pass: the bytes are hashed while they are copied to a temporary file, which
        is then renamed to its digest (or dropped when that content is already stored).
        For callers that opened the file themselves, e.g. without following links.
        """
        if self._local_root is None:
            return self._put_stream_remote(src)
        fd, tmp = tempfile.mkstemp(prefix=".incoming.", suffix=".tmp", dir=self._made(""))
        try:
            with os.fdopen(fd, "wb") as dst:
                digest, size = _copy_hashing(src, dst)
                if not self.exists(digest):
                    self._publish(dst, tmp, digest)
        finally:
            _unlink_quietly(tmp)
        return digest, size

    def _put_stream_remote(self, src: IO[bytes]) -> tuple[str, int]:
        with tempfile.TemporaryFile() as spool:
            digest, size = _copy_hashing(src, spool)
            if not self.exists(digest):
                spool.seek(0)
                self._makedirs_remote(digest)
                with self._fs.open(self._remote_path(digest), "wb") as dst:
                    shutil.copyfileobj(spool, dst, CHUNK_SIZE)
        return digest, size

    # -- reading -------------------------------------------------------------------

    def exists(self, digest: str) -> bool:
        validate_digest(digest)
        if self._local_root is not None:
            return os.path.exists(self._local_path(digest))
        return bool(self._fs.exists(self._remote_path(digest)))

    def get_bytes(self, digest: str) -> bytes:
        validate_digest(digest)
        try:
            if self._local_root is not None:
                return self._local_path(digest).read_bytes()
            return bytes(self._fs.cat_file(self._remote_path(digest)))
        except FileNotFoundError:
            raise self._missing(digest) from None

    def open(self, digest: str) -> IO[bytes]:
        """A binary file object for reading the blob; the caller closes it."""
        validate_digest(digest)
        try:
            if self._local_root is not None:
                return open(self._local_path(digest), "rb")
            fobj: IO[bytes] = self._fs.open(self._remote_path(digest), "rb")
            return fobj
        except FileNotFoundError:
            raise self._missing(digest) from None

    def get_file(self, digest: str, dest: str | os.PathLike[str]) -> None:
        """Copy a blob out to ``dest`` (a kernel-side copy for local stores)."""
        validate_digest(digest)
        try:
            if self._local_root is not None:
                shutil.copyfile(self._local_path(digest), dest)
            else:
                self._fs.get_file(self._remote_path(digest), os.fspath(dest))
        except FileNotFoundError:
            if not self.exists(digest):
                raise self._missing(digest) from None
            raise

    def local_path(self, digest: str) -> Path | None:
        """The blob's file on this machine, or None when the store is remote.

        Lets callers read big blobs in place (e.g. hand them to a library) without a
        copy. Raises ``ResourceNotFoundError`` when a local blob is missing.
        """
        validate_digest(digest)
        if self._local_root is None:
            return None
        path = self._local_path(digest)
        if not path.is_file():
            raise self._missing(digest)
        return path

    def size(self, digest: str) -> int:
        validate_digest(digest)
        try:
            if self._local_root is not None:
                return self._local_path(digest).stat().st_size
            return int(self._fs.size(self._remote_path(digest)))
        except FileNotFoundError:
            raise self._missing(digest) from None

    # -- internals -----------------------------------------------------------------

    def _local_path(self, digest: str) -> Path:
        assert self._local_root is not None
        return self._local_root / digest[:2] / digest[2:]

    def _remote_path(self, digest: str) -> str:
        return f"{self._root}/{digest[:2]}/{digest[2:]}"

    def _missing(self, digest: str) -> ResourceNotFoundError:
        return ResourceNotFoundError(f"blob {digest} not found in {self.url}")

    def _write_local(self, digest: str, fill: Callable[[IO[bytes]], object]) -> None:
        """Write-then-rename: a temp file in the blob's own folder, then os.replace.

        The temp file is in the same folder so the rename is atomic (same filesystem);
        a crash leaves at worst a dot-prefixed ``.tmp`` file, never a partial blob.
        """
        folder = self._made(digest[:2])
        fd, tmp = tempfile.mkstemp(prefix=f".{digest[2:10]}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as dst:
                fill(dst)
                self._publish(dst, tmp, digest)
        except BaseException:
            _unlink_quietly(tmp)
            raise

    def _publish(self, dst: IO[bytes], tmp: str, digest: str) -> None:
        """Flush, set the blob mode (read-only: blobs are immutable) and rename into place."""
        dst.flush()
        if self._fsync:
            os.fsync(dst.fileno())
        self._modes.apply_fd(dst.fileno(), self._modes.read_only_mode)
        self._made(digest[:2])
        os.replace(tmp, self._local_path(digest))

    def _made(self, fan_out: str) -> str:
        """The root (``""``) or a fan-out folder, created once with the store's mode."""
        assert self._local_root is not None
        folder = str(self._local_root / fan_out) if fan_out else str(self._local_root)
        if folder not in self._made_dirs:
            if fan_out:
                self._made("")
            self._modes.make_dir(Path(folder))
            self._made_dirs.add(folder)
        return folder

    def _makedirs_remote(self, digest: str) -> None:
        """Create the fan-out folder once per store (a no-op on object stores)."""
        folder = f"{self._root}/{digest[:2]}"
        if folder not in self._made_dirs:
            self._fs.makedirs(folder, exist_ok=True)
            self._made_dirs.add(folder)

    def _upload_remote(self, path: str | os.PathLike[str], digest: str) -> None:
        """One put per blob: object stores make a single put atomic.

        Small files are read once into memory and verified before the put. Big files
        are streamed by fsspec; a change of size or mtime during the upload removes the
        object again, so a file edited mid-upload is not stored under a stale digest.
        """
        self._makedirs_remote(digest)
        target = self._remote_path(digest)
        before = os.stat(path)
        if before.st_size <= SMALL_UPLOAD_LIMIT:
            data = Path(path).read_bytes()
            if hashlib.sha256(data).hexdigest() != digest:
                raise _changed(path)
            self._fs.pipe_file(target, data)
            return
        self._fs.put_file(os.fspath(path), target)
        after = os.stat(path)
        if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
            self._fs.rm_file(target)
            raise _changed(path)


def _absolute_local_root(url: str, root: str) -> Path:
    """Local stores must be absolute so blobs never land relative to a random cwd."""
    given = url[len("file://") :] if url.startswith("file://") else url
    if not os.path.isabs(os.path.expanduser(given)):
        raise InvalidParameterError(
            f"blob store path {url!r} must be absolute (or a URL such as file:///… or s3://…)"
        )
    return Path(root)


def _copy_hashing(src: IO[bytes], dst: IO[bytes]) -> tuple[str, int]:
    hasher = hashlib.sha256()
    size = 0
    while chunk := src.read(CHUNK_SIZE):
        hasher.update(chunk)
        dst.write(chunk)
        size += len(chunk)
    return hasher.hexdigest(), size


def _copy_verified(path: str | os.PathLike[str], dst: IO[bytes], digest: str) -> None:
    """Copy ``path`` into ``dst`` while hashing it; refuse if the digest differs."""
    hasher = hashlib.sha256()
    with open(path, "rb", buffering=0) as src:
        while chunk := src.read(CHUNK_SIZE):
            hasher.update(chunk)
            dst.write(chunk)
    if hasher.hexdigest() != digest:
        raise _changed(path)


def _changed(path: str | os.PathLike[str]) -> ResourceConflictError:
    return ResourceConflictError(
        f"{os.fspath(path)} changed while it was being stored; try again once it is no "
        "longer being written"
    )


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
