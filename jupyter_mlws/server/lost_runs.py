"""The server's lost-run sweep: a run whose process died is marked Failed ("lost") by
the long-lived Jupyter server, not only when someone happens to read it.

The database stays the only source of truth (no daemon is needed for correctness);
the sweep only makes a kill -9 visible to the sidebar, ``mlws run list`` and anyone
querying the store within one sweep interval on this host (the runner's pid decides),
and within ``lost_after_seconds`` plus one interval for runs of other hosts.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from jupyter_mlws.tracking import Workspace
from jupyter_mlws.tracking.run_listing import sweep_lost_runs

log = logging.getLogger(__name__)


class LostRunSweeper:
    def __init__(self, ws: Workspace, interval_s: float) -> None:
        self.ws = ws
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start sweeping on the running event loop (the server's)."""
        if self.interval_s > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:  # in a thread: a busy database must not stall the server's loop
                lost = await loop.run_in_executor(None, sweep_lost_runs, self.ws)
            except Exception as exc:  # an unavailable store is retried next interval
                log.warning("mlws: lost-run sweep failed: %s", exc)
            else:
                for record in lost:
                    log.info("mlws: run %s is lost (its process died)", record.id)
            await asyncio.sleep(self.interval_s)
