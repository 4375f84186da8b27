"""The server's scheduler: while Jupyter runs, it fires the workspace's due schedules
(``pipeline.scheduler``; other schedulers may run too, each due time fires once)."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from jupyter_mlws.services import schedules
from jupyter_mlws.workspace import Workspace

log = logging.getLogger(__name__)


class ScheduleLoop:
    def __init__(self, ws: Workspace, interval_s: float) -> None:
        self.interval_s = interval_s
        self.scheduler = schedules.scheduler(ws, max(0.0, interval_s))
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start ticking on the running event loop (the server's)."""
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
            try:  # in a thread: listing a datastore or a busy database must not stall
                await loop.run_in_executor(None, self.scheduler.tick)
            except Exception as exc:  # an unavailable store is retried next interval
                log.warning("mlws: scheduler tick failed: %s", exc)
            await asyncio.sleep(self.interval_s)
