"""The scheduler: fires the schedules that are due, exactly once per due time.

Any number of schedulers may run against one workspace (a Jupyter server, a headless
``mlws scheduler run``, several machines on a PostgreSQL workspace): before starting a
run, a scheduler claims the due time in the database (``store.claim_firing``: one
transaction with the schedule's row locked, and the (schedule, due time) primary key
as the last word). The one that claims it starts the run; the others skip it.

Catch-up rule: times missed while no scheduler was running fire **once, for the most
recent missed time**, at the next tick; the earlier missed times are skipped. Times
before the schedule was created or last enabled never fire. A claimed firing whose
run could not start records the error on the firing (``mlws schedule show``) and is
not retried: the next due time fires as usual.

Change triggers (``watch``) poll a fingerprint every ``poll_seconds`` of the schedule;
a change seen by several schedulers fires once (the claim also checks the fingerprint
the schedule last fired for). The clock is injectable (``clock``: epoch seconds), so
tests can stand at any time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jupyter_mlws.pipeline import recurrence as times
from jupyter_mlws.pipeline import watch
from jupyter_mlws.pipeline.schedule import Schedule

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Workspace

log = logging.getLogger(__name__)
Clock = Callable[[], float]
DEFAULT_POLL_SECONDS = 10.0


@dataclass(frozen=True)
class Firing:
    schedule: str
    due_ms: int
    run_id: str | None
    error: str | None = None


class Scheduler:
    def __init__(
        self,
        ws: Workspace,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        clock: Clock = time.time,
    ) -> None:
        self.ws = ws
        self.poll_seconds = poll_seconds
        self.clock = clock
        self._polled: dict[str, int] = {}  # when this scheduler last listed a watched path

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def tick(self) -> list[Firing]:
        """One pass over the enabled schedules; returns what this scheduler fired."""
        fired = []
        for schedule in Schedule.list(self.ws, active_only=True):
            try:
                firing = self._consider(schedule, self.now_ms())
            except Exception as exc:  # one broken schedule must not stop the others
                log.warning("mlws: schedule %s: %s", schedule.name, exc)
                continue
            if firing is not None:
                fired.append(firing)
        return fired

    def _consider(self, schedule: Schedule, now: int) -> Firing | None:
        state = schedule.state
        last_due = int(state.get("last_due_ms") or 0)
        if schedule.kind in times.TIME_KINDS:
            since = max(int(state.get("active_since_ms") or schedule.created_ms), last_due)
            due = times.latest_due(schedule.kind, schedule.spec, since, now)
            if due is None:
                return None
            claimed = self.ws.store.claim_firing(schedule.name, due, state={"last_due_ms": due})
        else:
            if (
                now - self._polled.get(schedule.name, -(2**62))
                < schedule.spec.get("poll_seconds", watch.DEFAULT_POLL_SECONDS) * 1000
            ):
                return None
            self._polled[schedule.name] = now
            seen = watch.current_fingerprint(self.ws, schedule.spec)
            before = state.get("fingerprint")
            if seen == before:
                return None
            due = max(now, last_due + 1)  # after every earlier firing, whatever the clocks
            claimed = self.ws.store.claim_firing(
                schedule.name,
                due,
                expect={"fingerprint": before},
                state={"fingerprint": seen, "last_due_ms": due},
            )
        return self._fire(schedule, due) if claimed else None

    def _fire(self, schedule: Schedule, due: int) -> Firing:
        try:
            run = schedule.submit(due)
        except Exception as exc:
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            self.ws.store.finish_firing(schedule.name, due, None, error=message)
            log.warning("mlws: schedule %s could not start its pipeline: %s", schedule.name, exc)
            return Firing(schedule.name, due, None, message)
        self.ws.store.finish_firing(schedule.name, due, run.id)
        log.info("mlws: schedule %s started pipeline run %s", schedule.name, run.id)
        return Firing(schedule.name, due, run.id)

    def run(self, stop: threading.Event, on_fired: Callable[[Firing], None] | None = None) -> None:
        """Tick every ``poll_seconds`` until ``stop`` is set (a tick under way finishes)."""
        while not stop.is_set():
            try:
                for firing in self.tick():
                    if on_fired is not None:
                        on_fired(firing)
            except Exception as exc:  # an unavailable store is retried next interval
                log.warning("mlws: scheduler tick failed: %s", exc)
            stop.wait(self.poll_seconds)
