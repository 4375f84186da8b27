"""Request ids and the per-request log line, written off the request path.

A request keeps the caller's ``x-request-id`` (or Azure's ``x-ms-request-id``) when it
looks like an id, else gets a fresh one; either way it is echoed in the response's
``x-request-id`` header and in error bodies.

The event loop only appends a tuple to a bounded queue; a thread of the worker turns
queued requests into JSON lines and writes them, in writes of at most ``PIPE_BUF``
bytes (atomic, so the workers' lines never interleave), to the pipe the supervisor's
log writer reads (``logwriter``). A full queue drops the line and counts it: the log
never slows scoring down. The line holds no payload, query string or header value
other than the request id.
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import os
import re
import select
import sys
import threading
import uuid
from collections.abc import Iterable
from typing import Any

import orjson

_SANE_ID = re.compile(rb"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")
_ID_HEADERS = (b"x-request-id", b"x-ms-request-id")
MAX_QUEUED = 20_000
FLUSH_EVERY_S = 0.2
MAX_PATH = 256
_CHUNK = getattr(select, "PIPE_BUF", 4096)

Entry = tuple[int, str, str, str, int, float, int, int]
"""(time ms, request id, method, path, status, latency ms, bytes in, bytes out)"""


def request_id(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The caller's id when it is a sane one (letters, digits, ``._:-``, ≤ 128), else new."""
    for name, value in headers:
        if name in _ID_HEADERS and _SANE_ID.match(value):
            return value.decode("ascii")
    return uuid.uuid4().hex


class RequestLog:
    """One worker's queue of finished requests and the thread that writes them."""

    def __init__(self, fd: int, static: dict[str, Any]) -> None:
        self.fd = fd
        self.static = static  # endpoint, generation, models: the same on every line
        self.dropped = 0
        self._queue: collections.deque[Entry] = collections.deque()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mlws-request-log", daemon=True)
        self._thread.start()

    def record(self, entry: Entry) -> None:
        if len(self._queue) >= MAX_QUEUED:
            self.dropped += 1
            return
        self._queue.append(entry)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._flush()

    def _loop(self) -> None:
        while not self._stop.wait(FLUSH_EVERY_S):
            try:
                self._flush()
            except Exception as exc:  # the log must never take the worker down
                print(f"[mlws] request log: {exc}", file=sys.stderr, flush=True)

    def _flush(self) -> None:
        queue = self._queue
        pending: list[bytes] = []
        size = 0
        while queue:
            line = self._line(queue.popleft())
            if size + len(line) > _CHUNK and pending:
                self._write(b"".join(pending))
                pending, size = [], 0
            pending.append(line)
            size += len(line)
        if pending:
            self._write(b"".join(pending))

    def _line(self, entry: Entry) -> bytes:
        ms, rid, method, path, status, latency, bytes_in, bytes_out = entry
        stamp = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
        record = {
            "time": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "ts": ms,
            "request_id": rid,
            "method": method,
            "path": path[:MAX_PATH],
            "status": status,
            "latency_ms": round(latency, 3),
            "bytes_in": bytes_in,
            "bytes_out": bytes_out,
            **self.static,
        }
        return orjson.dumps(record) + b"\n"

    def _write(self, data: bytes) -> None:
        with contextlib.suppress(OSError):  # the writer is being replaced: lose these lines
            os.write(self.fd, data)
