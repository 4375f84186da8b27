"""The server's scheduler: while Jupyter runs, it fires the workspace's due schedules
(``pipeline.scheduler``; other schedulers may run too, each due time fires once)."""

from __future__ import annotations

from jupyter_mlws.server.periodic import Periodic
from jupyter_mlws.services import schedules
from jupyter_mlws.workspace import Workspace


class ScheduleLoop(Periodic):
    what = "scheduler tick"

    def __init__(self, ws: Workspace, interval_s: float) -> None:
        super().__init__(interval_s)
        self.scheduler = schedules.scheduler(ws, max(0.0, interval_s))

    def tick(self) -> None:
        self.scheduler.tick()
