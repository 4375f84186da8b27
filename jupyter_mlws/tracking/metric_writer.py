"""The in-process metric buffer and its background writer thread.

``run.log`` only appends to a per-series buffer (a few array appends, no lock, no store
access); a daemon thread writes every run's buffered points in one transaction per run
at least every ``FLUSH_SECONDS`` (so a SIGKILL loses at most that much), and
``flush()``, ``complete()`` and interpreter exit write the rest. The same thread
heartbeats the runs of this process so that a dead kernel's run is noticed.

Nothing is lost quietly when the store cannot be written (disk full, locked, gone):

- The buffer holds at most ``MAX_BUFFERED_POINTS`` points per process (24 bytes each,
  so about 24 MB). Past that, while the store takes writes, ``run.log`` waits for the
  writer (backpressure); while the run's store is failing, new points are dropped and
  counted.
- Each new failure (the first one, or a different error) is logged as a warning with
  the number of unsaved points; a reminder follows every ``WARN_EVERY_SECONDS``.
- ``flush()`` and ``complete()`` raise ``MetricsNotSavedError``, which says how many of
  the run's points are unsaved, how many were dropped, and why.
- Once a write succeeds again, the run's property ``mlws.dropped_metric_points``
  (``DROPPED_PROPERTY``) counts every point of it that was dropped, written in the same
  transaction as the points that follow.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
from array import array
from typing import TYPE_CHECKING

from jupyter_mlws.entities import SYSTEM_METRIC_PREFIX, is_system_metric, validate_name
from jupyter_mlws.exceptions import MetricsNotSavedError
from jupyter_mlws.store.blocks import Columns

if TYPE_CHECKING:
    from jupyter_mlws.store import SqlStore

FLUSH_SECONDS = 0.5
MAX_BUFFERED_POINTS = 1_000_000  # per process, all runs and metrics together (~24 MB)
GRANT_POINTS = 4096  # room a series takes from the cap at a time (hot path stays lock-free)
WARN_EVERY_SECONDS = 30.0
DROPPED_PROPERTY = "mlws.dropped_metric_points"
SYSTEM_PREFIX = SYSTEM_METRIC_PREFIX
log = logging.getLogger(__name__)
clock = time.time  # seconds; the writer turns them into the store's milliseconds


class SeriesBuffer:
    """The points of one metric of one run that are not written yet.

    ``Run.log`` appends to ``values``, ``steps`` and then ``stamps`` while
    ``len(stamps) < limit``; each append is atomic under the GIL, so the hot path takes
    no lock. The writer copies the first ``len(stamps)`` points, writes them, and only
    then deletes them, so a failed write keeps them. (Threads logging one metric at the
    same time keep every point; their order among themselves is unspecified.)

    ``last`` is the highest step the series has (-1: none); see ``default_step``.
    """

    __slots__ = ("key", "last", "limit", "run", "stamps", "steps", "values")

    def __init__(self, run: _RunBuffer, key: str, last: int) -> None:
        self.run = run
        self.key = key
        self.values = array("d")
        self.steps = array("q")
        self.stamps = array("d")
        self.last = last
        self.limit = 0  # room granted from MAX_BUFFERED_POINTS; 0: ask on the first point


def default_step(series: SeriesBuffer) -> int:
    """The step of a point logged without ``step=``: the run's "row" rule.

    A run has one current step for all its metrics (``_RunBuffer.step``, from 0). A
    point goes at the current step unless its metric already has a point there; then
    the current step first advances by one. So metrics logged once per loop iteration
    share the iteration's step, and a metric logged every 10th iteration lands on the
    steps of those iterations. ``Run.log`` inlines this (the hot path); keep them alike.
    """
    run = series.run
    step = run.step
    last = series.last
    if last >= step:
        step = run.step = last + 1
    series.last = step
    return step


def explicit_step(series: SeriesBuffer, step: int) -> None:
    """An explicit ``step=s`` is kept as given and moves the run's current step to
    max(current, s), so default steps logged after it continue from there."""
    if step > series.last:
        series.last = step
    run = series.run
    if step > run.step:
        run.step = step


class _RunBuffer:
    """Per run: its series, its store, its current step, and what went wrong writing it."""

    __slots__ = (
        "dropped",
        "dropped_unrecorded",
        "error",
        "released",
        "run_id",
        "series",
        "step",
        "store",
        "warned_at",
    )

    def __init__(self, store: SqlStore, run_id: str, step: int) -> None:
        self.store = store
        self.run_id = run_id
        self.step = step  # the current step of the row rule (see default_step)
        self.series: dict[str, SeriesBuffer] = {}
        self.error: str | None = None  # the store's last failure; None while healthy
        self.warned_at = 0.0
        self.dropped = 0  # points dropped by this process, in all
        self.dropped_unrecorded = 0  # ... not yet added to the run's property (this outage)
        self.released = False

    def unsaved(self) -> int:
        return sum(len(s.stamps) for s in list(self.series.values()))


class MetricWriter:
    """One per process; shared by every run logged from it."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._flush_lock = threading.Lock()
        self._runs: dict[str, _RunBuffer] = {}
        self._wake = threading.Event()
        self._heartbeats: dict[str, tuple[SqlStore, float]] = {}
        self._last_beat = 0.0
        self._last_warning = 0.0
        self._thread: threading.Thread | None = None
        self._stopping = False

    # ---- logging (the slow path of Run.log: first point, full grant, explicit types) -----
    def add(
        self,
        store: SqlStore,
        run_id: str,
        key: str,
        value: float,
        step: int | None,
        cache: dict[str, SeriesBuffer] | None = None,
    ) -> None:
        series = cache.get(key) if cache is not None else None
        if series is None or series.run.released:
            series = self._series(store, run_id, key)
            if cache is not None:
                cache[key] = series
        while len(series.stamps) >= series.limit:
            if not self._make_room(series):
                return
        if step is None:
            step = default_step(series)
        else:
            explicit_step(series, step)
        series.values.append(value)
        series.steps.append(step)
        series.stamps.append(clock())

    def row_step(
        self,
        store: SqlStore,
        run_id: str,
        keys: list[str],
        cache: dict[str, SeriesBuffer] | None = None,
    ) -> int:
        """One default step for several metrics logged together (``log_metrics``): the
        current step, or the next one if any of them already has a point there. The
        run's current step moves to it (the points are then logged with it explicitly)."""
        series = []
        for key in keys:
            found = cache.get(key) if cache is not None else None
            if found is None or found.run.released:
                found = self._series(store, run_id, key)
                if cache is not None:
                    cache[key] = found
            series.append(found)
        run = series[0].run
        step = run.step
        if any(s.last >= step for s in series):
            step = max(s.last for s in series) + 1
        run.step = step
        return step

    def _series(self, store: SqlStore, run_id: str, key: str) -> SeriesBuffer:
        """The buffer of a series. On first sight the store is read (outside the lock),
        so default steps continue after what the run already has (a resumed run, another
        process of it): the run's current step becomes at least the highest stored step
        of any of its metrics, and the series' last step is its own stored one."""
        validate_name("metric", key)
        with self._cond:
            run = self._runs.get(run_id)
            series = run.series.get(key) if run is not None else None
        if series is not None:
            return series
        latest = {m.key: m.step for m in store.latest_metrics(run_id)}
        # System metrics (``system/…``, sampled by the runner) count their own samples:
        # they must not move the row rule's step of what the user logs.
        stored = max((s for k, s in latest.items() if not is_system_metric(k)), default=0)
        with self._cond:
            run = self._runs.get(run_id)
            if run is None:
                run = self._runs[run_id] = _RunBuffer(store, run_id, stored)
            elif stored > run.step:
                run.step = stored
            series = run.series.get(key)
            if series is None:
                series = run.series[key] = SeriesBuffer(run, key, latest.get(key, -1))
            if self._thread is None:
                self._start()
            return series

    def _make_room(self, series: SeriesBuffer) -> bool:
        """Grant the series more room under the cap; False if this point is dropped."""
        with self._cond:
            reserved = sum(
                max(s.limit, len(s.stamps)) for r in self._runs.values() for s in r.series.values()
            )
            room = MAX_BUFFERED_POINTS - reserved
            if room > 0:
                series.limit = max(series.limit, len(series.stamps)) + min(GRANT_POINTS, room)
                return True
            run = series.run
            if run.error is None:  # the store takes writes: wait for the writer
                self._wake.set()
                self._cond.wait(FLUSH_SECONDS)
                return True
            if run.dropped_unrecorded == 0:  # the first drop since the last record
                log.warning(
                    "mlws: metric buffer full (%s points) while the store fails (%s): new "
                    "points of run %s are dropped and counted in its property %s",
                    f"{MAX_BUFFERED_POINTS:,}",
                    run.error,
                    run.run_id,
                    DROPPED_PROPERTY,
                )
            run.dropped += 1
            run.dropped_unrecorded += 1
            return False

    # ---- heartbeats -----------------------------------------------------------------
    def watch(self, store: SqlStore, run_id: str, interval: float) -> None:
        """Heartbeat this run from the writer thread until ``unwatch``."""
        with self._cond:
            self._heartbeats[run_id] = (store, interval)
            if self._thread is None:
                self._start()

    def unwatch(self, run_id: str) -> None:
        with self._cond:
            self._heartbeats.pop(run_id, None)

    # ---- flushing -------------------------------------------------------------------
    def _start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="mlws-metric-writer", daemon=True)
        self._thread.start()

    def stop_thread(self, timeout: float) -> None:
        """End the writer thread (at exit): a daemon thread still inside the database
        driver while the interpreter finalizes can abort the process."""
        self._stopping = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopping:
            self._wake.wait(FLUSH_SECONDS)
            self._wake.clear()
            if self._stopping:
                return  # the exit flush runs in the exiting thread
            try:
                self.flush()
            except MetricsNotSavedError:
                pass  # reported by _failed; the points are kept and retried next tick
            except Exception as exc:
                self._warn("metric flush", exc)
            self._beat()

    def _warn(self, what: str, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self._last_warning > WARN_EVERY_SECONDS:
            self._last_warning = now
            log.warning("mlws: %s failed (%s); retrying", what, _describe(exc))

    def _beat(self) -> None:
        with self._cond:
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
        """Write the buffered points of one run (or of all). Every run is tried; the
        first that could not be written raises ``MetricsNotSavedError``."""
        first_error: MetricsNotSavedError | None = None
        with self._flush_lock:
            with self._cond:
                if run_id is None:
                    runs = list(self._runs.values())
                else:
                    runs = [self._runs[run_id]] if run_id in self._runs else []
            try:
                for run in runs:
                    try:
                        self._flush_run(run)
                    except MetricsNotSavedError as exc:
                        first_error = first_error or exc
            finally:
                with self._cond:
                    self._cond.notify_all()  # room for loggers waiting on the cap
        if first_error is not None:
            raise first_error

    def _flush_run(self, run: _RunBuffer) -> None:
        taken = [(s, len(s.stamps)) for s in list(run.series.values())]
        taken = [(s, n) for s, n in taken if n]
        with self._cond:
            dropped = run.dropped_unrecorded
        if not taken and not dropped:
            return
        columns = {
            s.key: Columns.from_buffer(s.steps[:n], s.stamps[:n], s.values[:n]) for s, n in taken
        }
        try:
            run.store.log_metric_columns(
                run.run_id, columns, dropped_points=dropped, dropped_property=DROPPED_PROPERTY
            )
        except Exception as exc:
            raise self._failed(run, exc) from exc
        for series, n in taken:  # only now: a failed write keeps them
            del series.values[:n]
            del series.steps[:n]
            del series.stamps[:n]
            series.limit = len(series.stamps)  # give back the rest of its grant
        with self._cond:
            run.dropped_unrecorded -= dropped
            if run.error is not None:
                log.warning(
                    "mlws: metrics of run %s are written again%s",
                    run.run_id,
                    f"; {dropped:,} points were dropped while the store failed "
                    f"(now counted in the run's property {DROPPED_PROPERTY})"
                    if dropped
                    else "",
                )
            run.error = None

    def _failed(self, run: _RunBuffer, exc: Exception) -> MetricsNotSavedError:
        """Report a new failure (or a reminder) and make the error flush() raises."""
        cause = _describe(exc)
        unsaved = run.unsaved()
        now = time.monotonic()
        with self._cond:
            new = run.error != cause
            run.error = cause
            if new or now - run.warned_at >= WARN_EVERY_SECONDS:
                run.warned_at = now
                log.warning(
                    "mlws: could not write metrics of run %s (%s points unsaved, %s dropped; "
                    "buffer cap %s points): %s; retrying every %s s",
                    run.run_id,
                    f"{unsaved:,}",
                    f"{run.dropped_unrecorded:,}",
                    f"{MAX_BUFFERED_POINTS:,}",
                    cause,
                    FLUSH_SECONDS,
                )
            dropped = run.dropped_unrecorded
        return MetricsNotSavedError(run.run_id, unsaved, dropped, cause)

    def status(self, run_id: str) -> tuple[int, int, str | None]:
        """(unsaved points, dropped points, the store's last error) of a run."""
        with self._cond:
            run = self._runs.get(run_id)
            if run is None:
                return 0, 0, None
            return run.unsaved(), run.dropped, run.error

    def release(self, run_id: str) -> None:
        """Forget a run with nothing left to write (it ended); a later log starts afresh."""
        with self._cond:
            run = self._runs.get(run_id)
            if run is None or run.unsaved() or run.dropped_unrecorded:
                return
            del self._runs[run_id]
            run.released = True
            for series in run.series.values():
                series.limit = 0


def _describe(exc: BaseException) -> str:
    exc = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error
    text = " ".join(str(exc).split())
    if len(text) > 200:
        text = text[:200] + "…"
    return f"{type(exc).__name__}: {text}"


_writer: MetricWriter | None = None
_writer_lock = threading.Lock()


def get_writer() -> MetricWriter:
    global _writer
    writer = _writer
    if writer is not None:
        return writer
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
    for run in _writer._runs.values():  # Run objects cached these: send them to the new one
        run.released = True
        for series in run.series.values():
            series.limit = 0
    _writer = MetricWriter()
    atexit.register(_flush_at_exit, _writer)
    if "multiprocessing" in sys.modules:  # its children leave through os._exit
        import multiprocessing.util

        multiprocessing.util.Finalize(_writer, _writer.flush, exitpriority=10)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _flush_at_exit(writer: MetricWriter) -> None:
    writer.stop_thread(timeout=2 * FLUSH_SECONDS + 5)
    for attempt in range(3):
        try:
            writer.flush()
            return
        except Exception:  # reported by the writer; try again shortly
            if attempt < 2:
                time.sleep(FLUSH_SECONDS)
    with writer._cond:
        runs = list(writer._runs.values())
    for run in runs:
        unsaved = run.unsaved()
        if unsaved or run.dropped_unrecorded:
            log.error(
                "mlws: %s metric points of run %s are lost at exit (%s dropped before): %s",
                f"{unsaved:,}",
                run.run_id,
                f"{run.dropped:,}",
                run.error,
            )
