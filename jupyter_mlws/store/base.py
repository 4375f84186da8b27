"""The shared core of the SQL store: engine, transactions, run-id resolution."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.engine import Engine

from jupyter_mlws.exceptions import ResourceNotFoundError
from jupyter_mlws.store import schema as t


class StoreBase:
    """Holds the engine; concept mixins (experiments, runs, metrics, …) add the queries."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self._run_pks: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE on SQLite)."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn.execution_options(mlws_read_only=True)

    def run_pk(self, conn: Connection, run_id: str) -> int:
        """The integer key of a run; run ids never change, so they are cached."""
        pk = self._run_pks.get(run_id)
        if pk is not None:
            return pk
        row = conn.execute(select(t.runs.c.pk).where(t.runs.c.id == run_id)).first()
        if row is None:
            raise ResourceNotFoundError(f"run {run_id!r} does not exist")
        with self._lock:
            self._run_pks[run_id] = row[0]
        return int(row[0])

    def close(self) -> None:
        self.engine.dispose()


def _plain(value: Any) -> Any:
    """numpy scalars and arrays (and anything with ``item``/``tolist``) as plain JSON."""
    for method in ("tolist", "item"):
        if hasattr(value, method):
            return getattr(value, method)()
    return str(value)


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=_plain, allow_nan=True)


def loads(text: str | None) -> Any:
    return json.loads(text) if text else None
