"""Snapshots of real folders: ignore rules, the stat cache, limits, and reading back."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fsspec
import pytest

from jupyter_mlws.artifacts import (
    BlobStore,
    Snapshot,
    load_manifest,
    materialize,
    take_snapshot,
    write_zip,
)
from jupyter_mlws.artifacts.manifest import encode_manifest
from jupyter_mlws.config import SnapshotLimits
from jupyter_mlws.entities import FileEntry
from jupyter_mlws.exceptions import (
    InvalidParameterError,
    ResourceNotFoundError,
    SnapshotTooLargeError,
)

HOUR_NS = 3600 * 1_000_000_000


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(root: Path, rel: str, data: bytes | str = b"", mode: int | None = None) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    if mode is not None:
        path.chmod(mode)
    return path


def age(root: Path, hours: int = 1) -> None:
    """Files last edited an hour ago: old enough for the stat cache to trust them."""
    when = time.time_ns() - hours * HOUR_NS
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, ns=(when, when))


def stored_digests(blob_root: Path) -> set[str]:
    if not blob_root.exists():
        return set()
    return {p.parent.name + p.name for p in blob_root.rglob("*") if p.is_file()}


def paths(snapshot: Snapshot) -> list[str]:
    return [f.path for f in snapshot.files]


@pytest.fixture
def src(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    write(root, "train.py", "print('train')\n", 0o644)
    write(root, "run.sh", "#!/bin/sh\necho hi\n", 0o755)
    write(root, "pkg/__init__.py", "")
    write(root, "pkg/model.py", "W = 1\n")
    write(root, "pkg/data/config.json", '{"lr": 0.1}')
    return root


@pytest.fixture
def blob_root(tmp_path: Path) -> Path:
    return tmp_path / "blobs"


@pytest.fixture
def blobs(blob_root: Path) -> BlobStore:
    return BlobStore(str(blob_root))


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "ws" / "stat-cache.db"


LIMITS = SnapshotLimits()


# -- what goes in ------------------------------------------------------------------


def test_snapshot_records_every_file_with_digest_size_and_mode(
    src: Path, blobs: BlobStore, cache: Path
) -> None:
    snap = take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)
    by_path = {f.path: f for f in snap.files}
    assert paths(snap) == sorted(by_path)
    assert set(by_path) == {
        "pkg/__init__.py",
        "pkg/data/config.json",
        "pkg/model.py",
        "run.sh",
        "train.py",
    }
    assert by_path["run.sh"] == FileEntry(
        "run.sh", sha(b"#!/bin/sh\necho hi\n"), len(b"#!/bin/sh\necho hi\n"), 0o755
    )
    assert by_path["train.py"].mode == 0o644
    assert snap.total_bytes == sum(f.size for f in snap.files)
    assert all(blobs.get_bytes(f.digest) == (src / f.path).read_bytes() for f in snap.files)
    # the id is the digest of the canonical manifest, which is itself a blob
    manifest = blobs.get_bytes(snap.id)
    assert sha(manifest) == snap.id
    assert manifest == encode_manifest(snap.files)
    assert json.loads(manifest)["files"][0]["path"] == "pkg/__init__.py"
    assert load_manifest(blobs, snap.id) == snap.files


def test_identical_trees_give_identical_ids_and_share_blobs(
    src: Path, tmp_path: Path, blobs: BlobStore, blob_root: Path
) -> None:
    first = take_snapshot(src, blobs, limits=LIMITS, cache_path=None)
    copy = tmp_path / "elsewhere" / "copy"
    materialize(blobs, first.id, copy)
    before = stored_digests(blob_root)
    second = take_snapshot(copy, blobs, limits=LIMITS, cache_path=None)
    assert second.id == first.id
    assert stored_digests(blob_root) == before


def test_duplicate_files_are_stored_once(tmp_path: Path, blobs: BlobStore, blob_root: Path) -> None:
    root = tmp_path / "dups"
    for i in range(5):
        write(root, f"copy{i}.txt", "same bytes")
    snap = take_snapshot(root, blobs, limits=LIMITS, cache_path=None)
    assert len({f.digest for f in snap.files}) == 1
    assert stored_digests(blob_root) == {sha(b"same bytes"), snap.id}


def test_default_ignores_apply_without_any_ignore_file(tmp_path: Path, blobs: BlobStore) -> None:
    root = tmp_path / "p"
    for rel in [
        ".git/config",
        ".mlws/workspace.json",
        "__pycache__/m.cpython-311.pyc",
        "pkg/__pycache__/x.pyc",
        "stray.pyc",
        ".ipynb_checkpoints/nb-checkpoint.ipynb",
        "outputs/model.pkl",
        "logs/run.log",
        ".venv/bin/python",
        "web/node_modules/left-pad/index.js",
        # kept: only the run's own top-level outputs/ and logs/ are conventions
        "pkg/logs/handler.py",
        "pkg/outputs.py",
        "main.py",
        ".git-hooks/pre-commit",
    ]:
        write(root, rel, rel)
    snap = take_snapshot(root, blobs, limits=LIMITS, cache_path=None)
    assert paths(snap) == [
        ".git-hooks/pre-commit",
        "main.py",
        "pkg/logs/handler.py",
        "pkg/outputs.py",
    ]


def test_mlwsignore_is_honoured_and_replaces_gitignore(tmp_path: Path, blobs: BlobStore) -> None:
    root = tmp_path / "p"
    write(root, ".gitignore", "*.csv\n")
    write(
        root, ".mlwsignore", "# data is mounted, not snapshotted\ndata/*\n!data/keep.csv\n*.ckpt\n"
    )
    for rel in ["a.csv", "data/big.csv", "data/keep.csv", "m.ckpt", "sub/m.ckpt", "main.py"]:
        write(root, rel, rel)
    snap = take_snapshot(root, blobs, limits=LIMITS, cache_path=None)
    assert paths(snap) == [".gitignore", ".mlwsignore", "a.csv", "data/keep.csv", "main.py"]


def test_gitignore_is_used_when_there_is_no_mlwsignore(tmp_path: Path, blobs: BlobStore) -> None:
    root = tmp_path / "p"
    write(root, ".gitignore", "*.csv\n/build/\n")
    for rel in ["a.csv", "deep/b.csv", "build/lib.so", "src/build/keep.py", "main.py"]:
        write(root, rel, rel)
    snap = take_snapshot(root, blobs, limits=LIMITS, cache_path=None)
    assert paths(snap) == [".gitignore", "main.py", "src/build/keep.py"]


def test_ignored_folders_are_never_entered(
    tmp_path: Path, blobs: BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "p"
    write(root, ".mlwsignore", "data/\n")
    write(root, "data/deep/er/x.bin", "x")
    write(root, ".venv/lib/site.py", "x")
    write(root, "main.py", "x")
    write(root, "src/a.py", "x")
    entered: list[str] = []
    real_scandir = os.scandir

    def recording_scandir(path: str) -> Any:
        entered.append(os.path.relpath(path, root))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", recording_scandir)
    snap = take_snapshot(root, blobs, limits=LIMITS, cache_path=None)
    assert sorted(entered) == [".", "src"]
    assert paths(snap) == [".mlwsignore", "main.py", "src/a.py"]


def test_symlinks_inside_are_followed_outside_are_skipped(tmp_path: Path, blobs: BlobStore) -> None:
    root = tmp_path / "p"
    write(root, "real/a.txt", "inside")
    write(tmp_path, "secret.txt", "do not ship")
    (root / "link-to-file.txt").symlink_to(root / "real/a.txt")
    (root / "link-to-dir").symlink_to(root / "real", target_is_directory=True)
    (root / "escape.txt").symlink_to(tmp_path / "secret.txt")
    (root / "escape-dir").symlink_to(tmp_path, target_is_directory=True)
    (root / "dangling").symlink_to(root / "missing")
    (root / "real/loop").symlink_to(root, target_is_directory=True)
    (root / "real/self").symlink_to(root / "real", target_is_directory=True)
    os.mkfifo(root / "pipe")
    snap = take_snapshot(root, blobs, limits=LIMITS, cache_path=None)
    assert paths(snap) == ["link-to-dir/a.txt", "link-to-file.txt", "real/a.txt"]
    assert {f.digest for f in snap.files} == {sha(b"inside")}


def test_source_dir_must_be_an_existing_folder(tmp_path: Path, blobs: BlobStore) -> None:
    with pytest.raises(InvalidParameterError, match="does not exist"):
        take_snapshot(tmp_path / "nope", blobs, limits=LIMITS, cache_path=None)
    write(tmp_path, "file.py", "x")
    with pytest.raises(InvalidParameterError, match="not a folder"):
        take_snapshot(tmp_path / "file.py", blobs, limits=LIMITS, cache_path=None)


def test_cache_and_local_store_inside_the_source_folder_are_left_out(tmp_path: Path) -> None:
    root = tmp_path / "p"
    write(root, "main.py", "x")
    blobs = BlobStore(str(root / "store"))
    cache = root / "cache.db"
    first = take_snapshot(root, blobs, limits=LIMITS, cache_path=cache)
    second = take_snapshot(root, blobs, limits=LIMITS, cache_path=cache)
    assert paths(first) == ["main.py"]
    assert second.id == first.id


# -- the stat cache ----------------------------------------------------------------


def test_unchanged_resnapshot_trusts_the_cache_and_reads_nothing(
    src: Path, blobs: BlobStore, blob_root: Path, cache: Path
) -> None:
    age(src)
    first = take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)
    before = stored_digests(blob_root)
    # Swap the content behind the cache's back: same size, mtime and inode. Only a
    # snapshot that hashes nothing still sees the old content.
    model = src / "pkg/model.py"
    st = model.stat()
    model.write_bytes(b"W = 2\n")
    os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert model.stat().st_ino == st.st_ino
    second = take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)
    assert second.id == first.id
    assert stored_digests(blob_root) == before
    # without the cache the change is visible: the test above could have failed
    uncached = take_snapshot(src, blobs, limits=LIMITS, cache_path=None)
    assert uncached.id != first.id


def test_recently_modified_files_are_hashed_again(src: Path, blobs: BlobStore, cache: Path) -> None:
    first = take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)  # files are fresh
    model = src / "pkg/model.py"
    st = model.stat()
    model.write_bytes(b"W = 2\n")  # same size, same tick: the stat cannot tell
    os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns))
    second = take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)
    assert second.id != first.id
    assert {f.path: f.digest for f in second.files}["pkg/model.py"] == sha(b"W = 2\n")


def test_changed_file_gives_new_id_and_stores_only_new_content(
    src: Path, blobs: BlobStore, blob_root: Path, cache: Path
) -> None:
    age(src)
    first = take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)
    before = stored_digests(blob_root)
    write(src, "pkg/model.py", "W = 1000\n")
    second = take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)
    assert second.id != first.id
    assert stored_digests(blob_root) - before == {sha(b"W = 1000\n"), second.id}
    assert {f.path: f.digest for f in second.files}["pkg/model.py"] == sha(b"W = 1000\n")


def test_mode_change_alone_gives_a_new_id(src: Path, blobs: BlobStore, cache: Path) -> None:
    age(src)
    first = take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)
    (src / "train.py").chmod(0o755)
    second = take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)
    assert second.id != first.id
    assert {f.path: f.mode for f in second.files}["train.py"] == 0o755


def test_deleted_and_added_files_are_reflected(src: Path, blobs: BlobStore, cache: Path) -> None:
    age(src)
    take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)
    (src / "train.py").unlink()
    write(src, "eval.py", "print('eval')\n")
    snap = take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)
    assert "train.py" not in paths(snap)
    assert "eval.py" in paths(snap)


def test_a_cache_shared_with_another_store_still_fills_the_new_store(
    src: Path, tmp_path: Path, blobs: BlobStore, cache: Path
) -> None:
    age(src)
    first = take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)
    other = BlobStore(str(tmp_path / "other-blobs"))
    second = take_snapshot(src, other, limits=LIMITS, cache_path=cache)
    assert second.id == first.id
    dest = tmp_path / "restored"
    materialize(other, second.id, dest)
    assert (dest / "pkg/model.py").read_text() == "W = 1\n"


def test_a_corrupt_cache_file_is_rebuilt(src: Path, blobs: BlobStore, cache: Path) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"this is not a sqlite database" * 100)
    first = take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)
    second = take_snapshot(src, blobs, limits=LIMITS, cache_path=cache)
    assert first.id == second.id
    assert cache.read_bytes().startswith(b"SQLite format 3")


# -- limits ------------------------------------------------------------------------


def test_too_many_files_is_refused_with_the_offenders_and_nothing_stored(
    tmp_path: Path, blobs: BlobStore, blob_root: Path, cache: Path
) -> None:
    root = tmp_path / "p"
    for i in range(30):
        write(root, f"data/images/img{i:02}.png", b"x" * (100 + i))
    for i in range(8):
        write(root, f"data/labels/l{i}.txt", b"y" * 10)
    write(root, "checkpoints/model.ckpt", b"z" * 5000)
    write(root, "main.py", "print(1)\n")
    limits = SnapshotLimits(max_bytes=10**9, max_files=20)
    with pytest.raises(SnapshotTooLargeError) as info:
        take_snapshot(root, blobs, limits=limits, cache_path=cache)
    message = info.value.message
    assert "40 files (limit 20)" in message
    largest = ["checkpoints/model.ckpt", *[f"data/images/img{i}.png" for i in (29, 28, 27, 26)]]
    for name in largest:
        assert name in message
    assert "data/images/img25.png" not in message  # only the five largest
    assert "data/  38 files" in message
    assert "data/images/  30 files" in message
    assert "data/labels/  8 files" in message
    assert f".mlwsignore (gitignore syntax) in {root}" in message
    assert stored_digests(blob_root) == set()
    assert not blob_root.exists()


def test_too_many_bytes_is_refused_before_anything_is_stored(
    tmp_path: Path, blobs: BlobStore, blob_root: Path
) -> None:
    root = tmp_path / "p"
    write(root, ".gitignore", "*.tmp\n")
    write(root, "weights/big.bin", b"w" * 4096)
    write(root, "main.py", "print(1)\n")
    limits = SnapshotLimits(max_bytes=1024, max_files=1000)
    with pytest.raises(SnapshotTooLargeError) as info:
        take_snapshot(root, blobs, limits=limits, cache_path=None)
    message = info.value.message
    assert "(limit 1.0 KiB)" in message
    assert "weights/big.bin  4.0 KiB" in message
    assert "/weights/" in message
    assert ".gitignore you need" in message  # a new .mlwsignore would replace .gitignore
    assert not blob_root.exists()
    assert isinstance(info.value, InvalidParameterError)  # a 400 for the REST layer


def test_ignored_files_do_not_count_towards_the_limits(tmp_path: Path, blobs: BlobStore) -> None:
    root = tmp_path / "p"
    for i in range(50):
        write(root, f"data/{i}.bin", b"x" * 100)
    write(root, "main.py", "print(1)\n")
    write(root, ".mlwsignore", "data/\n")
    limits = SnapshotLimits(max_bytes=1000, max_files=5)
    snap = take_snapshot(root, blobs, limits=limits, cache_path=None)
    assert paths(snap) == [".mlwsignore", "main.py"]


# -- reading back ------------------------------------------------------------------


def test_materialize_recreates_the_tree_with_modes(
    src: Path, tmp_path: Path, blobs: BlobStore
) -> None:
    write(src, "secret.cfg", "k=v", 0o600)
    write(src, "empty.txt", b"")
    snap = take_snapshot(src, blobs, limits=LIMITS, cache_path=None)
    dest = tmp_path / "work" / "run-1"
    materialize(blobs, snap.id, dest)
    restored = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert restored == paths(snap)
    for entry in snap.files:
        path = dest / entry.path
        assert path.read_bytes() == (src / entry.path).read_bytes()
        assert stat.S_IMODE(path.stat().st_mode) == entry.mode
    assert stat.S_IMODE((dest / "run.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE((dest / "secret.cfg").stat().st_mode) == 0o600


def test_materialize_refuses_a_folder_that_is_not_empty(
    src: Path, tmp_path: Path, blobs: BlobStore
) -> None:
    snap = take_snapshot(src, blobs, limits=LIMITS, cache_path=None)
    dest = tmp_path / "busy"
    write(dest, "leftover.txt", "old")
    with pytest.raises(InvalidParameterError, match="not empty"):
        materialize(blobs, snap.id, dest)
    assert [p.name for p in dest.iterdir()] == ["leftover.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    materialize(blobs, snap.id, empty)
    assert (empty / "train.py").is_file()


def test_zip_round_trip_keeps_content_and_modes(src: Path, blobs: BlobStore) -> None:
    snap = take_snapshot(src, blobs, limits=LIMITS, cache_path=None)
    buffer = io.BytesIO()
    write_zip(blobs, snap.id, buffer)
    again = io.BytesIO()
    write_zip(blobs, snap.id, again)
    assert buffer.getvalue() == again.getvalue()  # reproducible download
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        assert archive.namelist() == paths(snap)
        for entry in snap.files:
            assert archive.read(entry.path) == (src / entry.path).read_bytes()
            assert (archive.getinfo(entry.path).external_attr >> 16) & 0o777 == entry.mode


class _Unseekable(io.RawIOBase):
    """A write-only stream like an HTTP response body."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.chunks.append(bytes(data))
        return len(data)


def test_zip_can_be_streamed_to_an_unseekable_output(src: Path, blobs: BlobStore) -> None:
    snap = take_snapshot(src, blobs, limits=LIMITS, cache_path=None)
    out = _Unseekable()
    write_zip(blobs, snap.id, out)  # type: ignore[arg-type]
    with zipfile.ZipFile(io.BytesIO(b"".join(out.chunks))) as archive:
        assert archive.read("pkg/model.py") == b"W = 1\n"


def test_load_manifest_errors(blobs: BlobStore) -> None:
    with pytest.raises(InvalidParameterError, match="invalid snapshot id"):
        load_manifest(blobs, "../../etc/passwd")
    with pytest.raises(ResourceNotFoundError, match="snapshot"):
        load_manifest(blobs, sha(b"nothing"))
    not_a_manifest = blobs.put_bytes(b"print('hello')\n")
    with pytest.raises(InvalidParameterError, match="not a valid snapshot"):
        load_manifest(blobs, not_a_manifest)


@pytest.mark.parametrize(
    "bad_path", ["../escape.txt", "/etc/passwd", "a/../../x", "a//b", "./a", "", "a/./b"]
)
def test_a_manifest_with_unsafe_paths_is_refused_and_writes_nothing(
    tmp_path: Path, blobs: BlobStore, bad_path: str
) -> None:
    content = blobs.put_bytes(b"evil")
    files = [{"path": bad_path, "digest": content, "size": 4, "mode": 0o644}]
    document = {"format": "mlws-snapshot/1", "files": files}
    snapshot_id = blobs.put_bytes(json.dumps(document).encode())
    dest = tmp_path / "a" / "b" / "dest"
    with pytest.raises(InvalidParameterError, match="unsafe"):
        materialize(blobs, snapshot_id, dest)
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "escape.txt").exists()


def test_a_manifest_with_a_file_inside_a_file_is_refused(blobs: BlobStore) -> None:
    digest = blobs.put_bytes(b"x")
    entries = [FileEntry("a", digest, 1), FileEntry("a/b", digest, 1)]
    snapshot_id = blobs.put_bytes(encode_manifest(entries))
    with pytest.raises(InvalidParameterError, match="inside the file"):
        load_manifest(blobs, snapshot_id)


# -- an object store -----------------------------------------------------------------


@pytest.fixture
def memory_blobs() -> Iterator[BlobStore]:
    root = f"memory://snapshots-{uuid.uuid4().hex}"
    yield BlobStore(root)
    fs = fsspec.filesystem("memory")
    if fs.exists(root):
        fs.rm(root, recursive=True)


def test_snapshot_through_a_memory_store(
    src: Path, tmp_path: Path, memory_blobs: BlobStore, cache: Path
) -> None:
    age(src)
    snap = take_snapshot(src, memory_blobs, limits=LIMITS, cache_path=cache)
    fs = fsspec.filesystem("memory")
    root = memory_blobs.url[len("memory://") :]
    assert len(fs.find(root)) == len({f.digest for f in snap.files}) + 1
    assert take_snapshot(src, memory_blobs, limits=LIMITS, cache_path=cache).id == snap.id
    dest = tmp_path / "restored"
    materialize(memory_blobs, snap.id, dest)
    assert (dest / "run.sh").read_text() == "#!/bin/sh\necho hi\n"
    assert stat.S_IMODE((dest / "run.sh").stat().st_mode) == 0o755
    buffer = io.BytesIO()
    write_zip(memory_blobs, snap.id, buffer)
    with zipfile.ZipFile(buffer) as archive:
        assert sorted(archive.namelist()) == paths(snap)


def test_file_names_that_are_not_utf8_round_trip(
    tmp_path: Path, blobs: BlobStore, cache: Path
) -> None:
    root = tmp_path / "p"
    root.mkdir()
    raw = os.fsencode(root) + b"/caf\xe9.txt"  # latin-1 name, as old archives have
    with open(raw, "wb") as fh:
        fh.write(b"latin")
    write(root, "main.py", "x")
    age(root)
    first = take_snapshot(root, blobs, limits=LIMITS, cache_path=cache)
    assert take_snapshot(root, blobs, limits=LIMITS, cache_path=cache).id == first.id
    dest = tmp_path / "restored"
    materialize(blobs, first.id, dest)
    with open(os.fsencode(dest) + b"/caf\xe9.txt", "rb") as fh:
        assert fh.read() == b"latin"
    buffer = io.BytesIO()
    write_zip(blobs, first.id, buffer)
    with zipfile.ZipFile(buffer) as archive:
        assert archive.read("caf\ufffd.txt") == b"latin"
