"""Request telemetry of one worker: count, errors and a latency histogram per window.

Latencies go into log-spaced buckets (10 % wide), so windows of several workers merge
exactly by adding counts, and any percentile is known to within a bucket.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

MIN_MS = 0.01
GROWTH = 1.1
BUCKETS = 240  # up to 0.01 ms * 1.1**240 ≈ 8.7e7 ms
_LOG_GROWTH = math.log(GROWTH)


def bucket_of(ms: float) -> int:
    if ms <= MIN_MS:
        return 0
    return min(BUCKETS - 1, int(math.log(ms / MIN_MS) / _LOG_GROWTH))


def bucket_upper_ms(index: int) -> float:
    return MIN_MS * GROWTH ** (index + 1)


def percentile(histogram: Mapping[int, int], q: float) -> float | None:
    """The upper edge of the bucket holding the ``q``-th percentile (0 < q <= 100)."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(total * q / 100))
    seen = 0
    for index in sorted(histogram):
        seen += histogram[index]
        if seen >= rank:
            return bucket_upper_ms(index)
    return bucket_upper_ms(max(histogram))


@dataclass
class Window:
    start_ms: int
    end_ms: int = 0
    count: int = 0
    errors: int = 0  # 5xx: the service failed
    client_errors: int = 0  # 4xx: bad request, bad key, too large
    total_ms: float = 0.0
    histogram: dict[int, int] = field(default_factory=dict)


Sink = Callable[[Window], None]


class Telemetry:
    """Recording is a few additions on the event loop; a thread hands windows to a sink."""

    def __init__(self) -> None:
        self._window = Window(_now_ms())
        self._lock = threading.Lock()

    def record(self, ms: float, status: int) -> None:
        w = self._window
        w.count += 1
        w.total_ms += ms
        if status >= 500:
            w.errors += 1
        elif status >= 400:
            w.client_errors += 1
        index = bucket_of(ms)
        w.histogram[index] = w.histogram.get(index, 0) + 1

    def swap(self) -> Window:
        with self._lock:
            done, self._window = self._window, Window(_now_ms())
        done.end_ms = _now_ms()
        return done

    def start_flusher(self, sink: Sink, interval_s: float) -> Callable[[], None]:
        """Flush a window every ``interval_s``; returns the function that stops and flushes."""
        stop = threading.Event()

        def flush() -> None:
            window = self.swap()
            if window.count:
                try:
                    sink(window)
                except Exception as exc:  # telemetry must never take the service down
                    print(f"[mlws] telemetry not recorded: {exc}", file=sys.stderr, flush=True)

        def loop() -> None:
            while not stop.wait(interval_s):
                flush()

        thread = threading.Thread(target=loop, name="mlws-telemetry", daemon=True)
        thread.start()

        def close() -> None:
            stop.set()
            thread.join(timeout=interval_s + 5)
            flush()

        return close


def _now_ms() -> int:
    return int(time.time() * 1000)


def worker_pid() -> int:
    return os.getpid()
