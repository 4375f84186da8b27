"""Background work the Jupyter server repeats while it runs (the lost-run sweep, the
scheduler): one task on the server's event loop, each pass in a thread."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

log = logging.getLogger(__name__)


class Periodic:
    what = "background pass"  # named in the warning when a pass fails

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def tick(self) -> None:
        """One pass; runs in a thread, so a busy database never stalls the server."""
        raise NotImplementedError

    def start(self) -> None:
        """Start on the running event loop (the server's); an interval of 0 is off."""
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
            try:
                await loop.run_in_executor(None, self.tick)
            except Exception as exc:  # an unavailable store is retried next interval
                log.warning("mlws: %s failed: %s", self.what, exc)
            await asyncio.sleep(self.interval_s)
