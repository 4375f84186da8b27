"""Reading runs: one run, pages of runs with filters and sorting, the change cursor."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Row,
    Select,
    and_,
    func,
    literal,
    select,
    union_all,
)

from jupyter_mlws.entities import ACTIVE_STATUSES, SYSTEM_METRIC_PREFIX, RunRecord, RunStatus
from jupyter_mlws.exceptions import (
    InvalidParameterError,
    ResourceNotFoundError,
)
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.base import StoreBase, loads

KV_TABLES = {"params": t.run_params, "tags": t.run_tags, "properties": t.run_properties}
_SORT_COLUMNS = {
    "created": t.runs.c.created_ms,
    "number": t.runs.c.number,
    "started": t.runs.c.started_ms,
    "status": t.runs.c.status,
    "name": t.runs.c.display_name,
}


# A page token is "o" and the offset of the page: a format the REST document can state
# exactly (a pattern), so that every token it allows is one the store accepts.
_PAGE_TOKEN = re.compile(r"o([0-9]{1,9})")


def encode_page_token(offset: int) -> str:
    return f"o{offset}"


def decode_page_token(token: str | None) -> int:
    if not token:
        return 0
    found = _PAGE_TOKEN.fullmatch(token)
    if found is None:
        raise InvalidParameterError(
            f"invalid page token {token!r}: pass a next_page_token from an earlier page"
        )
    return int(found.group(1))


class RunQueriesMixin(StoreBase):
    def _run_query(self) -> Select[Any]:
        parent = t.runs.alias("parent")
        return (
            select(
                t.runs,
                t.experiments.c.name.label("experiment_name"),
                parent.c.id.label("parent_id"),
            )
            .join(t.experiments, t.experiments.c.id == t.runs.c.experiment_id)
            .outerjoin(parent, parent.c.pk == t.runs.c.parent_pk)
        )

    def get_run(self, run_id: str) -> RunRecord:
        with self.read() as conn:
            row = conn.execute(self._run_query().where(t.runs.c.id == run_id)).first()
            if row is None:
                raise ResourceNotFoundError(f"run {run_id!r} does not exist")
            return self._records(conn, [row])[0]

    def resolve_run_id(self, ref: str) -> str:
        """A full run id, a unique id prefix (6+ chars), or ``EXPERIMENT:NUMBER``."""
        exp_name, sep, number = ref.rpartition(":")
        if sep and number.isdigit() and exp_name:
            exp_id = self.get_experiment(exp_name).id  # type: ignore[attr-defined]
            try:
                return self.get_run_by_number(exp_id, int(number)).id
            except ResourceNotFoundError:
                raise ResourceNotFoundError(f"run {ref!r} does not exist") from None
        is_hex = bool(ref) and all(c in "0123456789abcdef" for c in ref)
        if is_hex and len(ref) < 6:
            raise InvalidParameterError(f"run id prefix {ref!r} is too short: give 6+ characters")
        if is_hex:
            with self.read() as conn:
                ids = list(
                    conn.execute(
                        select(t.runs.c.id).where(t.runs.c.id.startswith(ref)).limit(2)
                    ).scalars()
                )
            if len(ids) == 1:
                return ids[0]
            if len(ids) > 1:
                raise InvalidParameterError(f"run id prefix {ref!r} is ambiguous; give more of it")
        raise ResourceNotFoundError(
            f"run {ref!r} does not exist (give a run id, a 6+ character id prefix, "
            "or EXPERIMENT:NUMBER)"
        )

    def get_run_by_number(self, experiment_id: int, number: int) -> RunRecord:
        with self.read() as conn:
            row = conn.execute(
                self._run_query().where(
                    t.runs.c.experiment_id == experiment_id, t.runs.c.number == number
                )
            ).first()
            if row is None:
                raise ResourceNotFoundError(f"run number {number} does not exist")
            return self._records(conn, [row])[0]

    def _records(self, conn: Connection, rows: list[Row[Any]]) -> list[RunRecord]:
        pks = [row.pk for row in rows]
        extras: dict[str, dict[int, dict[str, str]]] = {
            name: {pk: {} for pk in pks} for name in KV_TABLES
        }
        # One round trip for params, tags and properties of the whole page.
        union = union_all(
            *(
                select(
                    literal(name).label("kind"), table.c.run_pk, table.c.key, table.c.value
                ).where(table.c.run_pk.in_(pks))
                for name, table in KV_TABLES.items()
            )
        )
        for kind, pk, key, value in conn.execute(union):
            extras[kind][pk][key] = value
        metrics: dict[int, dict[str, float]] = {pk: {} for pk in pks}
        series = t.metric_series.c
        for pk, key, value, step in conn.execute(
            select(series.run_pk, series.key, series.last_value, series.last_step).where(
                series.run_pk.in_(pks),
                series.key.not_like(SYSTEM_METRIC_PREFIX + "%"),  # the summary: user metrics
            )
        ):
            if step is not None:
                metrics[pk][key] = float("nan") if value is None else value
        return [
            RunRecord(
                id=row.id,
                experiment_id=row.experiment_id,
                experiment_name=row.experiment_name,
                number=row.number,
                display_name=row.display_name,
                kind=row.kind,
                status=RunStatus(row.status),
                compute=row.compute,
                created_ms=row.created_ms,
                started_ms=row.started_ms,
                ended_ms=row.ended_ms,
                heartbeat_ms=row.heartbeat_ms,
                parent_id=row.parent_id,
                snapshot_id=row.snapshot_id,
                definition=loads(row.definition) or {},
                error=loads(row.error),
                host=row.host,
                pid=row.pid,
                params=extras["params"][row.pk],
                tags=extras["tags"][row.pk],
                properties=extras["properties"][row.pk],
                metrics=metrics[row.pk],
            )
            for row in rows
        ]

    def list_runs(
        self,
        experiment_id: int | None = None,
        *,
        statuses: Iterable[RunStatus] | None = None,
        parent_id: str | None = None,
        top_level_only: bool = False,
        compute: str | None = None,
        kind: str | None = None,
        tags: Mapping[str, str] | None = None,
        name_contains: str | None = None,
        include_archived: bool = False,
        sort_by: str = "created",
        descending: bool = True,
        limit: int = 100,
        page_token: str | None = None,
    ) -> tuple[list[RunRecord], str | None]:
        """One page of runs and the token of the next page (None on the last page).

        ``sort_by`` is a column name or ``metric:KEY``; sorting by a metric uses the
        latest-value index, and runs without that metric come last.
        """
        if limit < 1 or limit > 10_000:
            raise InvalidParameterError("limit must be between 1 and 10000")
        offset = decode_page_token(page_token)
        query = self._run_query()
        conds = []
        if experiment_id is not None:
            conds.append(t.runs.c.experiment_id == experiment_id)
        elif not include_archived:  # archived experiments are hidden, their runs too
            conds.append(t.experiments.c.archived.is_(False))
        if statuses:
            conds.append(t.runs.c.status.in_([RunStatus(s).value for s in statuses]))
        if compute:
            conds.append(t.runs.c.compute == compute)
        if kind:
            conds.append(t.runs.c.kind == kind)
        if name_contains:
            conds.append(t.runs.c.display_name.contains(name_contains, autoescape=True))
        with self.read() as conn:
            if parent_id:
                conds.append(t.runs.c.parent_pk == self.run_pk(conn, parent_id))
            elif top_level_only:
                conds.append(t.runs.c.parent_pk.is_(None))
            for key, value in (tags or {}).items():
                tag = t.run_tags.alias()
                query = query.join(
                    tag, and_(tag.c.run_pk == t.runs.c.pk, tag.c.key == key, tag.c.value == value)
                )
            query = query.where(*conds)
            rows = self._sorted_page(
                conn, query, experiment_id, sort_by, descending, offset, limit + 1
            )
            has_more = len(rows) > limit
            records = self._records(conn, rows[:limit])
        return records, encode_page_token(offset + limit) if has_more else None

    def _sorted_page(
        self,
        conn: Connection,
        query: Select[Any],
        experiment_id: int | None,
        sort_by: str,
        descending: bool,
        offset: int,
        count: int,
    ) -> list[Row[Any]]:
        if not sort_by.startswith("metric:"):
            column = _SORT_COLUMNS.get(sort_by)
            if column is None:
                choices = ", ".join([*_SORT_COLUMNS, "metric:KEY"])
                raise InvalidParameterError(f"cannot sort by {sort_by!r}; use one of {choices}")
            order = (column.desc() if descending else column.asc()).nulls_last()
            tiebreak = t.runs.c.pk.desc() if descending else t.runs.c.pk.asc()
            return list(conn.execute(query.order_by(order, tiebreak).offset(offset).limit(count)))
        key = sort_by[len("metric:") :]
        if not key.strip():
            raise InvalidParameterError(
                f"cannot sort by {sort_by!r}: name the metric, e.g. metric:accuracy"
            )
        series = t.metric_series.alias("sort_series")
        join_on = and_(series.c.run_pk == t.runs.c.pk, series.c.key == key)
        if experiment_id is not None:
            join_on = and_(join_on, series.c.experiment_id == experiment_id)
        value = series.c.last_value
        with_metric = query.join(series, join_on).where(value.is_not(None))
        rows = list(
            conn.execute(
                with_metric.order_by(value.desc() if descending else value.asc(), t.runs.c.pk)
                .offset(offset)
                .limit(count)
            )
        )
        if len(rows) < count:  # then the runs that lack the metric, newest first
            n_with = conn.execute(
                select(func.count()).select_from(with_metric.subquery())
            ).scalar_one()
            has_metric = select(series.c.run_pk).where(series.c.key == key, value.is_not(None))
            without = query.where(~t.runs.c.pk.in_(has_metric))
            rows += list(
                conn.execute(
                    without.order_by(t.runs.c.pk.desc())
                    .offset(max(0, offset - n_with))
                    .limit(count - len(rows))
                )
            )
        return rows

    def change_cursor(self) -> str:
        """An opaque digest that moves whenever runs, metrics of active runs,
        experiments or compute targets change (cheap: indexed aggregates only)."""
        runs, series = t.runs.c, t.metric_series.c
        active = [s.value for s in ACTIVE_STATUSES]
        with self.read() as conn:
            last_run_change = conn.execute(select(func.max(runs.updated_ms))).scalar()
            active_points = conn.execute(
                select(func.coalesce(func.sum(series.count), 0), func.max(series.last_ts))
                .select_from(t.metric_series.join(t.runs, t.runs.c.pk == series.run_pk))
                .where(runs.status.in_(active))
            ).one()
            experiments = conn.execute(
                select(func.count(), func.sum(t.experiments.c.archived.cast(Integer)))
            ).one()
            targets = conn.execute(
                select(func.count(), func.max(t.compute_targets.c.updated_ms))
            ).one()
        parts = (last_run_change, *active_points, *experiments, *targets)
        return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()
