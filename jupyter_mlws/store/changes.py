"""What changed since a moment: runs whose record moved, runs that got metric points,
and a fingerprint of each whole list (experiments, targets, models, endpoints).

Only indexed columns and small aggregates: the sidebar asks every second or so.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Integer, func, select

from jupyter_mlws.entities import ACTIVE_STATUSES, Change, ChangeKind
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.base import StoreBase

LISTS = (ChangeKind.EXPERIMENTS, ChangeKind.TARGETS, ChangeKind.MODELS, ChangeKind.ENDPOINTS)


class ChangesMixin(StoreBase):
    def changed_runs(self, since_ms: int) -> list[Change]:
        """Runs updated after ``since_ms`` (version: their ``updated_ms``), and the runs
        that can still get metric points with their total point count as version.

        Points carry the logger's timestamps (which may be any time), so there is no
        "points written since" to ask for; a client skips a version it has seen.
        """
        runs, series = t.runs.c, t.metric_series.c
        active = [s.value for s in ACTIVE_STATUSES]
        # only runs that can still get points: active ones, and those that just ended
        # (their last flush comes right before they complete); both filters are indexed
        live = select(runs.pk).where(runs.status.in_(active) | (runs.updated_ms > since_ms))
        with self.read() as conn:
            moved = conn.execute(
                select(runs.id, runs.experiment_id, runs.updated_ms).where(
                    runs.updated_ms > since_ms
                )
            ).all()
            pointed = conn.execute(
                select(runs.id, runs.experiment_id, func.sum(series.count))
                .select_from(t.metric_series.join(t.runs, runs.pk == series.run_pk))
                .where(series.run_pk.in_(live))
                .group_by(runs.id, runs.experiment_id)
            ).all()
        return [
            *(Change(ChangeKind.RUN, int(v), run_id, exp) for run_id, exp, v in moved),
            *(Change(ChangeKind.METRICS, int(v or 0), run_id, exp) for run_id, exp, v in pointed),
        ]

    def list_fingerprints(self) -> dict[ChangeKind, int]:
        """A number per whole list that changes whenever what the list shows changes."""
        runs = t.runs.c
        active = [s.value for s in ACTIVE_STATUSES]
        with self.read() as conn:
            experiments = conn.execute(
                select(
                    func.count(),
                    func.sum(t.experiments.c.archived.cast(Integer)),
                    select(func.max(runs.pk)).scalar_subquery(),  # run counts grow
                )
            ).one()
            targets = (
                *conn.execute(select(func.count(), func.max(t.compute_targets.c.updated_ms))).one(),
                *conn.execute(
                    select(runs.compute, runs.status, func.count())
                    .where(runs.status.in_(active))
                    .group_by(runs.compute, runs.status)
                    .order_by(runs.compute, runs.status)
                ).all(),
            )
            models = (
                *conn.execute(select(func.count(), func.max(t.models.c.updated_ms))).one(),
                *conn.execute(select(func.count(), func.max(t.model_versions.c.pk))).one(),
                *conn.execute(select(func.count(), func.max(t.model_aliases.c.updated_ms))).one(),
            )
            endpoints = conn.execute(select(func.count(), func.max(t.endpoints.c.updated_ms))).one()
        return {
            ChangeKind.EXPERIMENTS: _fingerprint(tuple(experiments)),
            ChangeKind.TARGETS: _fingerprint(targets),
            ChangeKind.MODELS: _fingerprint(models),
            ChangeKind.ENDPOINTS: _fingerprint(tuple(endpoints)),
        }


def _fingerprint(parts: tuple[Any, ...]) -> int:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=6).digest()
    return int.from_bytes(digest, "big")  # 48 bits: exact in a JavaScript number
