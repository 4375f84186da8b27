"""Appending to a run's log in the store from a background thread, in chunks.

Writers only add bytes to a buffer, so a chatty process never waits on the database;
a daemon thread stores the buffer every 250 ms, and a failed store keeps the bytes.
"""

from __future__ import annotations

import threading

from jupyter_mlws.store import SqlStore

FLUSH_SECONDS = 0.25


class LogWriter:
    def __init__(self, store: SqlStore, run_id: str, name: str, offset: int = 0) -> None:
        self.store = store
        self.run_id = run_id
        self.name = name
        self.offset = offset
        self.error: BaseException | None = None
        self._buffer = bytearray()
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mlws-log-writer", daemon=True)

    def start(self) -> None:
        if not self._thread.is_alive() and not self._done.is_set():
            self._thread.start()

    def append(self, data: bytes) -> None:
        with self._lock:
            self._buffer += data

    def _loop(self) -> None:
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
        self._done.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.flush()
