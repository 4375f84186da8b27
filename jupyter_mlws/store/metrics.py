"""Scalar metric series: batched idempotent writes, full history, downsampled reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, insert, select, update

from jupyter_mlws.entities import LatestMetric, MetricPoint, validate_name
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.jsonable import json_float
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.base import StoreBase
from jupyter_mlws.store.blocks import (
    STAMP,
    VALUE,
    Block,
    Columns,
    concat,
    encode,
    encode_steps,
    minmax_downsample,
)


@dataclass(frozen=True)
class MetricSeries:
    """Columnar history of one metric as numpy arrays (steps and timestamps int64,
    values float64), read straight from the stored bytes: a million points in
    milliseconds. ``points()`` and ``to_dict()`` give Python objects."""

    key: str
    steps: np.ndarray
    timestamps: np.ndarray
    values: np.ndarray

    @classmethod
    def from_columns(cls, key: str, cols: Columns) -> MetricSeries:
        return cls(key, cols.steps, cols.timestamps, cols.values)

    def __len__(self) -> int:
        return len(self.steps)

    def points(self) -> list[MetricPoint]:
        return [
            MetricPoint(self.key, v, s, ts)
            for s, ts, v in zip(self.steps.tolist(), self.timestamps.tolist(), self.values.tolist())
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "steps": self.steps.tolist(),
            "timestamps": self.timestamps.tolist(),
            "values": [json_float(v) for v in self.values.tolist()],
        }


class MetricsMixin(StoreBase):
    def log_metric_columns(
        self,
        run_id: str,
        series: dict[str, Columns],
        *,
        dropped_points: int = 0,
        dropped_property: str = "mlws.dropped_metric_points",
    ) -> None:
        """Write buffered points of several metrics in one transaction.

        Points at or before a series' last (step, timestamp) are merged with the blocks
        they overlap, so exact duplicates are dropped and blocks stay ordered.
        ``dropped_points`` (points a writer had to discard) are added to the run's
        ``dropped_property`` in the same transaction.
        """
        series = {k: c for k, c in series.items() if len(c)}
        if not series and not dropped_points:
            return
        with self.write() as conn:
            pk = self.run_pk(conn, run_id)
            if series:
                rows = self._series_rows(conn, pk, list(series))
                for key, cols in series.items():
                    self._append(conn, rows[key], cols.sorted_unique())
            if dropped_points:
                self._add_to_property(conn, pk, dropped_property, dropped_points)

    def _add_to_property(self, conn: Connection, pk: int, key: str, amount: int) -> None:
        """A counter kept as a run property (properties are otherwise set once)."""
        props = t.run_properties.c
        where = (props.run_pk == pk) & (props.key == key)
        current = conn.execute(select(props.value).where(where)).scalar()
        total = int(current or 0) + amount
        conn.execute(delete(t.run_properties).where(where))
        conn.execute(insert(t.run_properties).values(run_pk=pk, key=key, value=str(total)))

    def log_metrics(self, run_id: str, points: Sequence[tuple[str, float, int, int]]) -> None:
        """Convenience: (key, value, step, timestamp) tuples."""
        by_key: dict[str, tuple[list[int], list[int], list[float]]] = {}
        for key, value, step, ts in points:
            steps, stamps, values = by_key.setdefault(key, ([], [], []))
            steps.append(step)
            stamps.append(ts)
            values.append(value)
        self.log_metric_columns(
            run_id, {key: Columns.from_lists(*columns) for key, columns in by_key.items()}
        )

    def _series_rows(self, conn: Connection, pk: int, keys: list[str]) -> dict[str, Any]:
        """The series rows of these keys, created when missing and locked (PostgreSQL) for
        the rest of the transaction, so concurrent writers of one series take turns."""
        col = t.metric_series.c
        existing = set(
            conn.execute(select(col.key).where(col.run_pk == pk, col.key.in_(keys))).scalars()
        )
        missing = sorted(k for k in keys if k not in existing)
        if missing:
            for key in missing:
                validate_name("metric", key)
            exp_id = conn.execute(
                select(t.runs.c.experiment_id).where(t.runs.c.pk == pk)
            ).scalar_one()
            rows = [{"run_pk": pk, "experiment_id": exp_id, "key": k} for k in missing]
            if self.is_sqlite:  # BEGIN IMMEDIATE: no other writer can be racing us
                conn.execute(insert(t.metric_series), rows)
            else:
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                conn.execute(pg_insert(t.metric_series).on_conflict_do_nothing(), rows)
        query = (
            select(t.metric_series)
            .where(col.run_pk == pk, col.key.in_(keys))
            .order_by(col.key)
            .with_for_update()
        )
        return {row.key: row for row in conn.execute(query)}

    def _append(self, conn: Connection, series: Any, cols: Columns) -> None:
        first = (int(cols.steps[0]), int(cols.timestamps[0]))
        seq, count = series.next_seq, series.count
        if series.last_step is not None and first <= (series.last_step, series.last_ts):
            cols, seq, replaced = self._merge_overlap(conn, series.id, cols)
            count -= replaced
        blocks = [cols.slice(i, i + t.BLOCK_POINTS) for i in range(0, len(cols), t.BLOCK_POINTS)]
        conn.execute(
            insert(t.metric_blocks),
            [
                {
                    "series_id": series.id,
                    "seq": seq + i,
                    "first_step": int(b.steps[0]),
                    "first_ts": int(b.timestamps[0]),
                    "last_step": int(b.steps[-1]),
                    "last_ts": int(b.timestamps[-1]),
                    "n": len(b),
                    "has_nan": b.has_nan(),
                    "steps": encode_steps(b.steps),
                    "timestamps": encode(b.timestamps, STAMP),
                    "vals": encode(b.values, VALUE),
                }
                for i, b in enumerate(blocks)
            ],
        )
        low, high = cols.finite_min_max()
        last_value = float(cols.values[-1])
        conn.execute(
            update(t.metric_series)
            .where(t.metric_series.c.id == series.id)
            .values(
                count=count + len(cols),
                next_seq=seq + len(blocks),
                last_step=int(cols.steps[-1]),
                last_ts=int(cols.timestamps[-1]),
                last_value=None if last_value != last_value else last_value,
                min_value=_pick(min, series.min_value, low),
                max_value=_pick(max, series.max_value, high),
            )
        )

    def _merge_overlap(self, conn: Connection, sid: int, cols: Columns) -> tuple[Columns, int, int]:
        """Rewrite the tail blocks that overlap the new points, merged with them.

        Returns the merged points, the first sequence number to write them at, and how
        many stored points they replace.
        """
        b = t.metric_blocks.c
        first_step, first_ts = int(cols.steps[0]), int(cols.timestamps[0])
        overlap = (b.last_step > first_step) | (
            (b.last_step == first_step) & (b.last_ts >= first_ts)
        )
        start_seq = conn.execute(
            select(b.seq).where(b.series_id == sid, overlap).order_by(b.seq).limit(1)
        ).scalar_one()
        rows = conn.execute(
            select(b.first_step, b.n, b.steps, b.timestamps, b.vals)
            .where(b.series_id == sid, b.seq >= start_seq)
            .order_by(b.seq)
        ).all()
        merged = concat((r.first_step, r.n, r.steps, r.timestamps, r.vals) for r in rows)
        merged.extend(cols)
        conn.execute(delete(t.metric_blocks).where(b.series_id == sid, b.seq >= start_seq))
        return merged.sorted_unique(), start_seq, sum(r.n for r in rows)

    # ---- reads --------------------------------------------------------------------
    def _series(self, conn: Connection, run_id: str, key: str) -> Any:
        pk = self.run_pk(conn, run_id)
        col = t.metric_series.c
        row = conn.execute(select(t.metric_series).where(col.run_pk == pk, col.key == key)).first()
        if row is None:
            raise ResourceNotFoundError(f"run {run_id} has no metric {key!r}")
        return row

    def metric_keys(self, run_id: str) -> list[str]:
        with self.read() as conn:
            pk = self.run_pk(conn, run_id)
            col = t.metric_series.c
            return list(
                conn.execute(select(col.key).where(col.run_pk == pk).order_by(col.key)).scalars()
            )

    def _blocks(self, run_id: str, key: str) -> list[Block]:
        """The stored blocks of a series, in order (read through the driver: no row
        objects for hundreds of blobs)."""
        with self.read() as conn:
            sid = self._series(conn, run_id, key).id
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            marker = "?" if self.is_sqlite else "%s"
            cursor.execute(
                "SELECT first_step, n, steps, timestamps, vals FROM metric_blocks "
                f"WHERE series_id = {marker} ORDER BY seq",
                (sid,),
            )
            blocks = cursor.fetchall()
            cursor.close()
        return [(first, n, bytes(s), bytes(ts), bytes(v)) for first, n, s, ts, v in blocks]

    def metric_columns(self, run_id: str, key: str) -> Columns:
        return concat(self._blocks(run_id, key))

    def metric_history(self, run_id: str, key: str) -> MetricSeries:
        return MetricSeries.from_columns(key, self.metric_columns(run_id, key))

    def metric_downsampled(self, run_id: str, key: str, max_points: int) -> MetricSeries:
        """At most ``max_points`` points keeping each bucket's min and max (for charts)."""
        if max_points < 2:
            raise InvalidParameterError("max_points must be at least 2")
        return MetricSeries.from_columns(
            key, minmax_downsample(self._blocks(run_id, key), max_points)
        )

    def latest_metrics(self, run_id: str) -> list[LatestMetric]:
        with self.read() as conn:
            pk = self.run_pk(conn, run_id)
            col = t.metric_series.c
            rows = conn.execute(
                select(t.metric_series)
                .where(col.run_pk == pk, col.last_step.is_not(None))
                .order_by(col.key)
            ).all()
        nan = float("nan")
        return [
            LatestMetric(
                key=r.key,
                value=nan if r.last_value is None else r.last_value,
                step=r.last_step,
                timestamp=r.last_ts,
                count=r._mapping["count"],
                min=nan if r.min_value is None else r.min_value,
                max=nan if r.max_value is None else r.max_value,
            )
            for r in rows
        ]

    def latest_metrics_of(self, run_ids: Sequence[str]) -> dict[str, list[LatestMetric]]:
        """``latest_metrics`` of many runs in one query per 500 (a search page's runs)."""
        out: dict[str, list[LatestMetric]] = {run_id: [] for run_id in run_ids}
        col, runs = t.metric_series.c, t.runs.c
        nan = float("nan")
        ids = list(out)
        with self.read() as conn:
            for start in range(0, len(ids), 500):
                rows = conn.execute(
                    select(runs.id, t.metric_series)
                    .join(t.runs, runs.pk == col.run_pk)
                    .where(runs.id.in_(ids[start : start + 500]), col.last_step.is_not(None))
                    .order_by(runs.id, col.key)
                ).all()
                for r in rows:
                    out[r.id].append(
                        LatestMetric(
                            key=r.key,
                            value=nan if r.last_value is None else r.last_value,
                            step=r.last_step,
                            timestamp=r.last_ts,
                            count=r._mapping["count"],
                            min=nan if r.min_value is None else r.min_value,
                            max=nan if r.max_value is None else r.max_value,
                        )
                    )
        return out


def _pick(choose: Any, current: float | None, new: float | None) -> float | None:
    values = [v for v in (current, new) if v is not None]
    return choose(values) if values else None
