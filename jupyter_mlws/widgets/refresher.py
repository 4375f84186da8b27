"""Polling a widget's source from a background thread, backing off while nothing changes.

The kernel's main thread is the user's: a widget must never make it wait. The thread
polls fast while things change, slows down (up to ``max_interval``) while they do not,
and ends for good once the view says its subject is finished. It shares the GIL with
the user's code, so it also rations itself: after a poll that took ``t`` seconds it
waits at least ``t / max_duty`` (a 60 ms look at a long history → 1.2 s of quiet).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Poll:
    changed: bool
    finished: bool
    one_off: bool = False  # built something (a new chart): not what the next poll costs


class Refresher:
    def __init__(
        self,
        poll: Callable[[], Poll],
        *,
        min_interval: float = 0.5,
        max_interval: float = 5.0,
        factor: float = 1.6,
        max_duty: float = 0.05,
        name: str = "mlws-widget-refresh",
    ) -> None:
        self._poll = poll
        self.min_interval = min_interval
        self.max_interval = max_interval
        self.factor = factor
        self.max_duty = max_duty
        self.interval = min_interval
        self.polls = 0
        self._first_wait = min_interval
        self.next_wait = min_interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self, first_wait: float | None = None) -> Refresher:
        """Begin polling; the first poll comes after ``first_wait`` (default: the interval)."""
        self._first_wait = self.interval if first_wait is None else first_wait
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _loop(self) -> None:
        wait = self._first_wait
        while not self._stop.wait(wait):
            started = time.perf_counter()
            try:
                result = self._poll()
            except Exception as exc:  # a glitch (busy database) must not end the view
                log.debug("mlws widget refresh failed: %s", exc)
                result = Poll(changed=False, finished=False)
            took = time.perf_counter() - started
            self.polls += 1
            if result.finished:
                return
            if result.changed:
                self.interval = self.min_interval
            else:
                self.interval = min(self.interval * self.factor, self.max_interval)
            rationed = 0.0 if result.one_off else took / self.max_duty
            wait = self.next_wait = max(self.interval, rationed)
