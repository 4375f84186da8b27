"""Non-scalar logged values: strings, lists, rows, tables and image references."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select

from jupyter_mlws.entities import RunRecordValue, now_ms, validate_name
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.base import StoreBase, dumps_value, loads


class ValuesMixin(StoreBase):
    def add_value(self, run_id: str, key: str, kind: str, value: Any) -> None:
        validate_name("metric", key)
        text = dumps_value(value, f"{kind} {key!r}")  # a bad value opens no transaction
        c = t.run_values.c
        with self.write() as conn:
            pk = self.run_pk(conn, run_id)
            seq = conn.execute(
                select(func.coalesce(func.max(c.seq), 0)).where(c.run_pk == pk, c.key == key)
            ).scalar_one()
            conn.execute(
                insert(t.run_values).values(
                    run_pk=pk, key=key, seq=seq + 1, kind=kind, value=text, ts=now_ms()
                )
            )

    def list_values(self, run_id: str, key: str | None = None) -> list[RunRecordValue]:
        c = t.run_values.c
        with self.read() as conn:
            pk = self.run_pk(conn, run_id)
            query = select(c.key, c.kind, c.seq, c.value, c.ts).where(c.run_pk == pk)
            if key is not None:
                query = query.where(c.key == key)
            return [
                RunRecordValue(k, kind, seq, loads(v), ts)
                for k, kind, seq, v, ts in conn.execute(query.order_by(c.key, c.seq))
            ]

    def values_of(self, run_ids: Sequence[str], key: str) -> dict[str, list[Any]]:
        """The values logged under ``key`` by each of many runs, in logging order."""
        out: dict[str, list[Any]] = {run_id: [] for run_id in run_ids}
        c, runs = t.run_values.c, t.runs.c
        ids = list(out)
        with self.read() as conn:
            for start in range(0, len(ids), 500):
                query = (
                    select(runs.id, c.value)
                    .join(t.runs, runs.pk == c.run_pk)
                    .where(runs.id.in_(ids[start : start + 500]), c.key == key)
                    .order_by(runs.id, c.seq)
                )
                for run_id, value in conn.execute(query):
                    out[run_id].append(loads(value))
        return out
