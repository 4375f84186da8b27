"""The in-process metric buffer and its background writer thread.

``run.log`` only appends to a buffer; a daemon thread flushes every run's buffer in one
transaction at least every ``FLUSH_SECONDS`` (so a SIGKILL loses at most that much),
and on ``flush()``, ``complete()`` and interpreter exit nothing is lost. The same thread
heartbeats the runs of this process so that a dead kernel's run is noticed.
"""

from __future__ import annotations

import atexit
import logging
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
        self._thread: threading.Thread | None = None
        self._step_source: Callable[[SqlStore, str, str], int] | None = None
        self.last_error: BaseException | None = None

    # ---- hot path -----------------------------------------------------------------
    def add(self, store: SqlStore, run_id: str, key: str, value: float, step: int | None) -> None:
        with self._lock:
            buf = self._buffers.get(run_id)
            if buf is None:
                buf = self._buffers[run_id] = _RunBuffer(store)
            cols = buf.columns.get(key)
            if cols is None:
                validate_name("metric", key)
                cols = buf.columns[key] = Columns.empty()
                if key not in buf.next_step:
                    buf.next_step[key] = self._first_step(store, run_id, key)
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

    def _first_step(self, store: SqlStore, run_id: str, key: str) -> int:
        """Auto-numbered steps continue after what the run already has (resumed runs)."""
        try:
            latest = {m.key: m.step for m in store.latest_metrics(run_id)}
        except Exception:  # the run may not exist yet in a racing reader; start at 0
            return 0
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
                self._beat()
            except Exception as exc:  # keep the data and retry on the next tick
                self.last_error = exc
                log.warning("mlws: metric flush failed, will retry: %s", exc)
                time.sleep(FLUSH_SECONDS)

    def _beat(self) -> None:
        with self._lock:
            beats = list(self._heartbeats.items())
        now = time.monotonic()
        if not beats or now - self._last_beat < min(b[1][1] for b in beats):
            return
        self._last_beat = now
        for run_id, (store, _) in beats:
            store.heartbeat(run_id)

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
            for i, (rid, buf, columns) in enumerate(taken):
                try:
                    buf.store.log_metric_columns(rid, columns)
                except BaseException:
                    self._requeue(taken[i:])
                    raise

    def _requeue(self, items: list[tuple[str, _RunBuffer, dict[str, Columns]]]) -> None:
        with self._lock:
            for _rid, buf, columns in items:
                for key, cols in columns.items():
                    newer = buf.columns.get(key)
                    if newer is not None:
                        cols.extend(newer)
                    buf.columns[key] = cols
                    self._pending += len(cols)

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


def _flush_at_exit(writer: MetricWriter) -> None:
    for attempt in range(3):
        try:
            writer.flush()
            return
        except Exception as exc:
            log.warning("mlws: final metric flush failed (attempt %d): %s", attempt + 1, exc)
            time.sleep(0.5)
