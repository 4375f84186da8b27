"""BlobStore on a real local folder and on fsspec's in-memory filesystem."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pytest

from jupyter_mlws.artifacts import BlobStore
from jupyter_mlws.artifacts.blobs import CHUNK_SIZE, file_digest
from jupyter_mlws.exceptions import (
    InvalidParameterError,
    ResourceConflictError,
    ResourceNotFoundError,
)

BAD_DIGESTS = [
    "",
    "abc",
    "a" * 63,
    "a" * 65,
    "A" * 64,  # upper case: one blob must have exactly one name
    "g" * 64,
    "a" * 64 + "\n",
    "../" + "a" * 61,
    "../../../../etc/passwd",
    "aa/" + "b" * 61,
]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(str(tmp_path / "blobs"))


@pytest.fixture
def memory_store() -> Iterator[BlobStore]:
    root = f"memory://blobs-{uuid.uuid4().hex}"
    yield BlobStore(root)
    fs = fsspec.filesystem("memory")
    if fs.exists(root):
        fs.rm(root, recursive=True)


def test_put_bytes_stores_under_its_sha256_in_a_fan_out_folder(
    store: BlobStore, tmp_path: Path
) -> None:
    digest = store.put_bytes(b"hello")
    assert digest == sha(b"hello")
    assert (tmp_path / "blobs" / digest[:2] / digest[2:]).read_bytes() == b"hello"
    assert store.get_bytes(digest) == b"hello"
    assert store.exists(digest)
    assert store.size(digest) == 5
    assert store.local_path(digest) == tmp_path / "blobs" / digest[:2] / digest[2:]


def test_same_content_is_stored_once_and_never_rewritten(store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(b"same content")
    first = store.put_bytes(b"same content")
    blob = tmp_path / "blobs" / first[:2] / first[2:]
    before = blob.stat()
    assert store.put_file(source) == (first, 12)
    assert store.put_bytes(b"same content") == first
    store.put_file_as(source, first)
    assert files_under(tmp_path / "blobs") == [blob]
    after = blob.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_put_file_hashes_big_files_in_chunks(store: BlobStore, tmp_path: Path) -> None:
    data = os.urandom(2 * CHUNK_SIZE + 123)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    assert file_digest(source) == (sha(data), len(data))
    digest, size = store.put_file(source)
    assert (digest, size) == (sha(data), len(data))
    assert store.get_bytes(digest) == data


def test_writes_leave_no_temporary_files_and_blobs_are_read_only(
    store: BlobStore, tmp_path: Path
) -> None:
    digests = {store.put_bytes(bytes([i]) * i) for i in range(50)}
    stored = files_under(tmp_path / "blobs")
    assert {p.parent.name + p.name for p in stored} == digests
    assert all(p.stat().st_mode & 0o777 == 0o400 for p in stored)  # read-only, owner only


def test_a_failed_write_leaves_neither_blob_nor_temp_file(store: BlobStore, tmp_path: Path) -> None:
    folder = tmp_path / "not-a-file"
    folder.mkdir()
    digest = sha(b"whatever")
    with pytest.raises(IsADirectoryError):
        store.put_file_as(folder, digest)  # fails half-way: after the temp file exists
    assert not store.exists(digest)
    assert files_under(tmp_path / "blobs") == []


def test_put_file_as_refuses_content_that_does_not_match_the_digest(
    store: BlobStore, tmp_path: Path
) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(b"new content")
    stale = sha(b"old content")  # e.g. the file changed after it was hashed
    with pytest.raises(ResourceConflictError, match="changed while"):
        store.put_file_as(source, stale)
    assert not store.exists(stale)
    assert files_under(tmp_path / "blobs") == []


@pytest.mark.parametrize("digest", BAD_DIGESTS)
def test_malformed_digests_are_rejected_everywhere(
    store: BlobStore, tmp_path: Path, digest: str
) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(b"x")
    calls = [
        lambda: store.exists(digest),
        lambda: store.get_bytes(digest),
        lambda: store.open(digest),
        lambda: store.get_file(digest, tmp_path / "out"),
        lambda: store.local_path(digest),
        lambda: store.size(digest),
        lambda: store.put_file_as(source, digest),
    ]
    for call in calls:
        with pytest.raises(InvalidParameterError, match="invalid blob digest"):
            call()
    assert not (tmp_path / "out").exists()


def test_missing_blobs_are_not_found(store: BlobStore, tmp_path: Path) -> None:
    digest = sha(b"never stored")
    assert not store.exists(digest)
    calls = [
        lambda: store.get_bytes(digest),
        lambda: store.open(digest),
        lambda: store.get_file(digest, tmp_path / "out"),
        lambda: store.local_path(digest),
        lambda: store.size(digest),
    ]
    for call in calls:
        with pytest.raises(ResourceNotFoundError, match=digest):
            call()


def test_get_file_and_open_copy_out_an_independent_file(store: BlobStore, tmp_path: Path) -> None:
    digest = store.put_bytes(b"payload")
    dest = tmp_path / "copy.txt"
    store.get_file(digest, dest)
    assert dest.read_bytes() == b"payload"
    dest.write_bytes(b"edited")  # the copy is writable and not linked to the blob
    with store.open(digest) as fh:
        assert fh.read() == b"payload"


def test_relative_local_paths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="must be absolute"):
        BlobStore("relative/blobs")
    with pytest.raises(InvalidParameterError):
        BlobStore("")


def test_file_urls_are_local_stores(tmp_path: Path) -> None:
    store = BlobStore(f"file://{tmp_path / 'blobs'}")
    digest = store.put_bytes(b"x")
    assert store.is_local
    assert store.local_path(digest) == tmp_path / "blobs" / digest[:2] / digest[2:]


def test_memory_store_round_trip_and_dedup(memory_store: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "a.bin"
    source.write_bytes(b"remote bytes")
    digest, size = memory_store.put_file(source)
    assert (digest, size) == (sha(b"remote bytes"), 12)
    assert memory_store.put_bytes(b"remote bytes") == digest
    assert not memory_store.is_local
    assert memory_store.local_path(digest) is None
    assert memory_store.get_bytes(digest) == b"remote bytes"
    assert memory_store.size(digest) == 12
    with memory_store.open(digest) as fh:
        assert fh.read() == b"remote bytes"
    memory_store.get_file(digest, tmp_path / "out.bin")
    assert (tmp_path / "out.bin").read_bytes() == b"remote bytes"
    fs = fsspec.filesystem("memory")
    root = memory_store.url[len("memory://") :]
    assert fs.find(root) == [f"/{root}/{digest[:2]}/{digest[2:]}"]


def test_memory_store_refuses_stale_digest_and_reports_missing(
    memory_store: BlobStore, tmp_path: Path
) -> None:
    source = tmp_path / "a.bin"
    source.write_bytes(b"new")
    with pytest.raises(ResourceConflictError):
        memory_store.put_file_as(source, sha(b"old"))
    assert not memory_store.exists(sha(b"old"))
    with pytest.raises(ResourceNotFoundError):
        memory_store.get_bytes(sha(b"old"))
    with pytest.raises(InvalidParameterError):
        memory_store.exists("../etc/passwd")
