"""Run logs as chunks: append by offset, idempotent retries, tail from any offset."""

from __future__ import annotations

import pytest

from jupyter_mlws.entities import RunRecord
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.store import SqlStore

LOG = "std_log.txt"


def read_all(store: SqlStore, run_id: str, name: str = LOG, max_bytes: int = 1 << 20) -> bytes:
    out, offset = b"", 0
    while True:
        data, offset = store.read_log(run_id, name, offset, max_bytes=max_bytes)
        if not data:
            return out
        out += data


def test_append_and_read_by_offset(store: SqlStore, run: RunRecord) -> None:
    store.append_log(run.id, LOG, 0, b"epoch 1\n")
    store.append_log(run.id, LOG, 8, b"epoch 2\n")

    assert store.read_log(run.id, LOG) == (b"epoch 1\nepoch 2\n", 16)
    assert store.read_log(run.id, LOG, 8) == (b"epoch 2\n", 16)
    assert store.read_log(run.id, LOG, 11) == (b"ch 2\n", 16)  # inside a chunk
    assert store.read_log(run.id, LOG, 16) == (b"", 16)
    assert store.log_size(run.id, LOG) == 16


def test_tailing_returns_only_new_bytes(store: SqlStore, run: RunRecord) -> None:
    seen, offset = b"", 0
    written = b""
    for i in range(5):
        line = f"line {i}\n".encode()
        store.append_log(run.id, LOG, len(written), line)
        written += line
        data, offset = store.read_log(run.id, LOG, offset)
        assert data == line
        seen += data
    assert seen == written


def test_same_offset_append_is_idempotent(store: SqlStore, run: RunRecord) -> None:
    store.append_log(run.id, LOG, 0, b"hello ")
    store.append_log(run.id, LOG, 0, b"hello ")  # a retried flush
    store.append_log(run.id, LOG, 6, b"world")
    store.append_log(run.id, LOG, 6, b"world")

    assert read_all(store, run.id) == b"hello world"
    assert store.log_size(run.id, LOG) == 11


def test_a_retry_carrying_more_bytes_loses_none_of_them(store: SqlStore, run: RunRecord) -> None:
    """The log pump retries a flush with the unconfirmed bytes plus what arrived since.

    When the first attempt did commit, the retry starts at the same offset and is longer;
    the bytes beyond the first chunk must not be dropped, and the next flush (at the
    retry's end) must continue the log without a gap.
    """
    store.append_log(run.id, LOG, 0, b"hello ")  # committed, but reported as failed
    store.append_log(run.id, LOG, 0, b"hello world\n")  # the retry
    store.append_log(run.id, LOG, 12, b"bye\n")  # the next flush

    assert read_all(store, run.id) == b"hello world\nbye\n"
    data, offset = store.read_log(run.id, LOG)
    assert offset == 16 and data == b"hello world\nbye\n"


def test_large_logs_read_in_pieces(store: SqlStore, run: RunRecord) -> None:
    chunks = [bytes([65 + i % 26]) * (1000 + i) for i in range(40)]
    offset = 0
    for chunk in chunks:
        store.append_log(run.id, LOG, offset, chunk)
        offset += len(chunk)

    assert read_all(store, run.id, max_bytes=2_500) == b"".join(chunks)
    assert store.log_size(run.id, LOG) == offset


def test_several_logs_per_run(store: SqlStore, run: RunRecord) -> None:
    store.append_log(run.id, "user_logs/std_log.txt", 0, b"a")
    store.append_log(run.id, "system/driver.txt", 0, b"b")
    store.append_log(run.id, "user_logs/std_log.txt", 0, b"")  # nothing to write

    assert store.log_names(run.id) == ["system/driver.txt", "user_logs/std_log.txt"]
    assert store.read_log(run.id, "system/driver.txt") == (b"b", 1)
    assert store.read_log(run.id, "missing.txt") == (b"", 0)
    assert store.log_size(run.id, "missing.txt") == 0


def test_bytes_are_kept_exactly(store: SqlStore, run: RunRecord) -> None:
    data = bytes(range(256)) * 4 + "héllo ✓\r\n".encode()
    store.append_log(run.id, LOG, 0, data)
    assert read_all(store, run.id) == data


def test_bad_name_or_run(store: SqlStore, run: RunRecord) -> None:
    with pytest.raises(InvalidParameterError):
        store.append_log(run.id, "../escape.txt", 0, b"x")
    with pytest.raises(ResourceNotFoundError):
        store.append_log("0" * 32, LOG, 0, b"x")
    with pytest.raises(ResourceNotFoundError):
        store.read_log("0" * 32, LOG)
    assert store.log_names(run.id) == []
