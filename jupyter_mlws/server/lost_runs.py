"""The server's lost-run sweep: a run whose process died is marked Failed ("lost") by
the long-lived Jupyter server, not only when someone happens to read it.

The database stays the only source of truth (no daemon is needed for correctness);
the sweep only makes a kill -9 visible to the sidebar, ``mlws run list`` and anyone
querying the store within one sweep interval on this host (the runner's pid decides),
and within ``lost_after_seconds`` plus one interval for runs of other hosts.
"""

from __future__ import annotations

import logging

from jupyter_mlws.server.periodic import Periodic
from jupyter_mlws.tracking import Workspace
from jupyter_mlws.tracking.run_listing import sweep_lost_runs

log = logging.getLogger(__name__)


class LostRunSweeper(Periodic):
    what = "lost-run sweep"

    def __init__(self, ws: Workspace, interval_s: float) -> None:
        super().__init__(interval_s)
        self.ws = ws

    def tick(self) -> None:
        for record in sweep_lost_runs(self.ws):
            log.info("mlws: run %s is lost (its process died)", record.id)
