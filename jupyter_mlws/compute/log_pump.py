"""Streams a child's stdout/stderr into the run's log in the store, live."""

from __future__ import annotations

import os
import threading
from typing import IO

from jupyter_mlws.store import SqlStore

FLUSH_SECONDS = 0.25
TAIL_BYTES = 64 * 1024


class LogPump:
    """Reader threads append to one buffer; a flusher writes it as chunks every 250 ms.

    stdout and stderr interleave into one log as they arrive (Azure's ``std_log.txt``);
    the stderr tail is kept to extract the traceback of a failed run.
    """

    def __init__(self, store: SqlStore, run_id: str, name: str, offset: int = 0) -> None:
        self.store = store
        self.run_id = run_id
        self.name = name
        self.offset = offset
        self.stderr_tail = bytearray()
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._readers: list[threading.Thread] = []
        self._done = threading.Event()
        self._flusher = threading.Thread(target=self._flush_loop, daemon=True)
        self.error: BaseException | None = None

    def attach(self, stream: IO[bytes], is_stderr: bool = False) -> None:
        thread = threading.Thread(target=self._read, args=(stream, is_stderr), daemon=True)
        self._readers.append(thread)
        thread.start()
        if not self._flusher.is_alive():
            self._flusher.start()

    def write(self, data: bytes) -> None:
        with self._lock:
            self._buffer += data

    def _read(self, stream: IO[bytes], is_stderr: bool) -> None:
        fd = stream.fileno()
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            with self._lock:
                self._buffer += chunk
                if is_stderr:
                    self.stderr_tail += chunk
                    del self.stderr_tail[:-TAIL_BYTES]
        stream.close()

    def _flush_loop(self) -> None:
        while not self._done.wait(FLUSH_SECONDS):
            self.flush()

    def flush(self) -> None:
        # One flush at a time: two flushes at the same offset would look like a retry
        # to the store, which keeps the first chunk and drops the second.
        with self._flush_lock:
            with self._lock:
                data = bytes(self._buffer)
                self._buffer.clear()
            if not data:
                return
            try:
                self.store.append_log(self.run_id, self.name, self.offset, data)
                self.offset += len(data)
            except Exception as exc:  # keep the bytes; the next flush retries
                self.error = exc
                with self._lock:
                    self._buffer[:0] = data

    def close(self, timeout: float = 10.0) -> None:
        for thread in self._readers:
            thread.join(timeout)
        self._done.set()
        if self._flusher.is_alive():
            self._flusher.join(timeout)
        self.flush()


def extract_traceback(stderr_tail: bytes) -> str | None:
    """The last Python traceback in the stderr tail, if there is one."""
    text = stderr_tail.decode("utf-8", errors="replace")
    start = text.rfind("Traceback (most recent call last):")
    return text[start:].strip() if start >= 0 else None
