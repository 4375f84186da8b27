"""Runs as every front door shows them: stored records with the liveness rule applied.

One place for the rule (DESIGN §8.2) so that ``Experiment.get_runs()``, the CLI, REST
and the server's lost-run sweep agree on a run whose process died: a SIGKILLed run is
Failed ("lost") in every listing, not Running in one and Failed in another.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from jupyter_mlws.entities import ACTIVE_STATUSES, RunRecord, RunStatus
from jupyter_mlws.tracking import liveness

if TYPE_CHECKING:
    from jupyter_mlws.tracking.workspace import Workspace


def observed(ws: Workspace, record: RunRecord) -> RunRecord:
    """The record with its process checked: a dead active run becomes Failed ("lost"),
    and a stale queue it reveals is dispatched again."""
    record = liveness.observe(ws.store, record, ws.config.lost_after_seconds)
    liveness.kick_stale_queue(ws, record)
    return record


def list_runs(
    ws: Workspace, *, statuses: Iterable[RunStatus] | None = None, **query: Any
) -> tuple[list[RunRecord], str | None]:
    """``SqlStore.list_runs`` (same arguments) with every record observed.

    A run found dead while listing with a status filter no longer matches it and is
    left out, so a list of Running runs never shows a lost one.
    """
    wanted = list(statuses) if statuses else None
    records, next_token = ws.store.list_runs(statuses=wanted, **query)
    fresh = [observed(ws, r) for r in records]
    if wanted is not None:
        fresh = [r for r in fresh if r.status in wanted]
    return fresh, next_token


def sweep_lost_runs(ws: Workspace, limit: int = 10_000) -> list[RunRecord]:
    """Observe every active run of the workspace (archived experiments and child runs
    included); returns the runs this sweep marked lost."""
    records, _ = ws.store.list_runs(
        statuses=list(ACTIVE_STATUSES), include_archived=True, limit=limit
    )
    swept = [observed(ws, r) for r in records]
    return [r for r in swept if r.status is RunStatus.FAILED]
