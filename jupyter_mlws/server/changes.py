"""A cheap change cursor over the store, so open views can refresh within a second.

Runs are separate processes that write straight to the database, so the server cannot
be told about changes; it notices them instead. Every status, param or tag change moves
``runs.updated_ms`` (indexed), and metric points of active runs move the point counts of
their series (few rows: only active runs write metrics). Experiments and compute
targets are tiny tables. The cursor is an opaque digest of those aggregates.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Integer, func, select

from jupyter_mlws.entities import ACTIVE_STATUSES
from jupyter_mlws.store import SqlStore
from jupyter_mlws.store import schema as t


def change_cursor(store: SqlStore) -> str:
    runs, series = t.runs.c, t.metric_series.c
    active = [s.value for s in ACTIVE_STATUSES]
    with store.read() as conn:
        last_run_change = conn.execute(select(func.max(runs.updated_ms))).scalar()
        active_points = conn.execute(
            select(func.coalesce(func.sum(series.count), 0), func.max(series.last_ts))
            .select_from(t.metric_series.join(t.runs, t.runs.c.pk == series.run_pk))
            .where(runs.status.in_(active))
        ).one()
        experiments = conn.execute(
            select(func.count(), func.sum(t.experiments.c.archived.cast(Integer)))
        ).one()
        targets = conn.execute(select(func.count(), func.max(t.compute_targets.c.updated_ms))).one()
    parts = (last_run_change, *active_points, *experiments, *targets)
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()
