"""The in-process metric buffer and its background writer thread.

``run.log`` only appends to a buffer; a daemon thread flushes every run's buffer in one
transaction at least every ``FLUSH_SECONDS`` (so a SIGKILL loses at most that much),
and on ``flush()``, ``complete()`` and interpreter exit nothing is lost. The same thread
heartbeats the runs of this process so that a dead kernel's run is noticed.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from jupyter_mlws.entities import validate_name
from jupyter_mlws.store.blocks import Columns

if TYPE_CHECKING:
    from jupyter_mlws.store import SqlStore

FLUSH_SECONDS = 0.5
MAX_BUFFERED = 500_000  # flush early past this many points, bounding memory
WARN_EVERY_SECONDS = 30.0
log = logging.getLogger(__name__)


class _RunBuffer:
    __slots__ = ("columns", "next_step", "store")

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.columns: dict[str, Columns] = {}
        self.next_step: dict[str, int] = {}


class MetricWriter:
    """One per process; shared by every run logged from it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._buffers: dict[str, _RunBuffer] = {}
        self._pending = 0
        self._wake = threading.Event()
        self._heartbeats: dict[str, tuple[SqlStore, float]] = {}
        self._last_beat = 0.0
        self._last_warning = 0.0
        self._thread: threading.Thread | None = None
        self._step_source: Callable[[SqlStore, str, str], int] | None = None
        self.last_error: BaseException | None = None

    # ---- hot path -----------------------------------------------------------------
    def add(self, store: SqlStore, run_id: str, key: str, value: float, step: int | None) -> None:
        buf = self._buffers.get(run_id)
        if buf is None or key not in buf.next_step:
            validate_name("metric", key)
            self._prepare(store, run_id, key)
        with self._lock:
            buf = self._buffers[run_id]
            cols = buf.columns.get(key)
            if cols is None:
                cols = buf.columns[key] = Columns.empty()
            if step is None:
                step = buf.next_step[key]
            buf.next_step[key] = step + 1
            cols.steps.append(step)
            cols.timestamps.append(int(time.time() * 1000))
            cols.values.append(value)
            self._pending += 1
            if self._thread is None:
                self._start()
        if self._pending >= MAX_BUFFERED:
            self._wake.set()

    def _prepare(self, store: SqlStore, run_id: str, key: str) -> None:
        """First sight of a run or key: find where auto-numbered steps continue.

        The store is read outside the lock so other threads keep logging meanwhile.
        """
        first = self._first_step(store, run_id, key)
        with self._lock:
            buf = self._buffers.get(run_id)
            if buf is None:
                buf = self._buffers[run_id] = _RunBuffer(store)
            buf.next_step.setdefault(key, first)

    def _first_step(self, store: SqlStore, run_id: str, key: str) -> int:
        """Auto-numbered steps continue after what the run already has (resumed runs)."""
        latest = {m.key: m.step for m in store.latest_metrics(run_id)}
        return latest[key] + 1 if key in latest else 0

    # ---- heartbeats -----------------------------------------------------------------
    def watch(self, store: SqlStore, run_id: str, interval: float) -> None:
        """Heartbeat this run from the writer thread until ``unwatch``."""
        with self._lock:
            self._heartbeats[run_id] = (store, interval)
            if self._thread is None:
                self._start()

    def unwatch(self, run_id: str) -> None:
        with self._lock:
            self._heartbeats.pop(run_id, None)

    # ---- flushing -------------------------------------------------------------------
    def _start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="mlws-metric-writer", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            try:
                self.flush()
            except Exception as exc:  # the points are kept and retried on the next tick
                self._warn("metric flush", exc)
            self._beat()

    def _warn(self, what: str, exc: BaseException) -> None:
        self.last_error = exc
        now = time.monotonic()
        if now - self._last_warning > WARN_EVERY_SECONDS:
            self._last_warning = now
            log.warning("mlws: %s failed (%s); retrying", what, " ".join(str(exc).split())[:200])

    def _beat(self) -> None:
        with self._lock:
            beats = list(self._heartbeats.items())
        now = time.monotonic()
        if not beats or now - self._last_beat < min(b[1][1] for b in beats):
            return
        self._last_beat = now
        for run_id, (store, _) in beats:
            try:
                store.heartbeat(run_id)
            except Exception as exc:  # one workspace's trouble must not starve the others
                self._warn("heartbeat", exc)

    def flush(self, run_id: str | None = None) -> None:
        """Write buffered points (of one run, or all) to the store; keep them on failure."""
        with self._flush_lock:
            with self._lock:
                ids = [run_id] if run_id is not None else list(self._buffers)
                taken: list[tuple[str, _RunBuffer, dict[str, Columns]]] = []
                for rid in ids:
                    buf = self._buffers.get(rid)
                    if buf is None or not buf.columns:
                        continue
                    taken.append((rid, buf, buf.columns))
                    self._pending -= sum(len(c) for c in buf.columns.values())
                    buf.columns = {}
            # Each run is written on its own: one failing workspace does not hold back
            # the others; failed points go back to the buffer for the next tick.
            failed: list[tuple[str, _RunBuffer, dict[str, Columns]]] = []
            first_error: Exception | None = None
            for i, item in enumerate(taken):
                try:
                    item[1].store.log_metric_columns(item[0], item[2])
                except Exception as exc:
                    failed.append(item)
                    first_error = first_error or exc
                except BaseException:  # interrupted: keep everything not yet written
                    self._requeue(failed + taken[i:])
                    raise
            if failed:
                self._requeue(failed)
                assert first_error is not None
                raise first_error

    def _requeue(self, items: list[tuple[str, _RunBuffer, dict[str, Columns]]]) -> None:
        with self._lock:
            for _rid, buf, columns in items:
                for key, cols in columns.items():
                    self._pending += len(cols)
                    newer = buf.columns.get(key)
                    if newer is not None:  # logged while the flush was failing
                        cols.extend(newer)
                    buf.columns[key] = cols

    def discard(self, run_id: str) -> None:
        with self._lock:
            buf = self._buffers.pop(run_id, None)
            if buf is not None:
                self._pending -= sum(len(c) for c in buf.columns.values())


_writer: MetricWriter | None = None
_writer_lock = threading.Lock()


def get_writer() -> MetricWriter:
    global _writer
    with _writer_lock:
        if _writer is None:
            _writer = MetricWriter()
            atexit.register(_flush_at_exit, _writer)
        return _writer


def _reset_after_fork() -> None:
    """A forked child (DataLoader workers, multiprocessing) gets a fresh writer: the
    parent's thread does not exist there, and its locks may be held."""
    global _writer, _writer_lock
    _writer_lock = threading.Lock()
    if _writer is None:
        return
    _writer = MetricWriter()
    atexit.register(_flush_at_exit, _writer)
    if "multiprocessing" in sys.modules:  # its children leave through os._exit
        import multiprocessing.util

        multiprocessing.util.Finalize(_writer, _writer.flush, exitpriority=10)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _flush_at_exit(writer: MetricWriter) -> None:
    for attempt in range(3):
        try:
            writer.flush()
            return
        except Exception as exc:
            log.warning("mlws: final metric flush failed (attempt %d): %s", attempt + 1, exc)
            time.sleep(0.5)
