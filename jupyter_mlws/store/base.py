"""The shared core of the SQL store: engine, transactions, run-id resolution."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.engine import Engine

from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
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


class _Unstorable(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


def _strict_plain(value: Any) -> Any:
    for method in ("tolist", "item"):
        if hasattr(value, method):
            return getattr(value, method)()
    raise _Unstorable(value)


def dumps_value(value: Any, what: str) -> str:
    """A value a user logged (param, tag, row cell, …) as JSON, or a typed error naming it:
    an object is never stored as its repr, which would read back as a different value."""
    try:
        return json.dumps(value, separators=(",", ":"), default=_strict_plain, allow_nan=True)
    except _Unstorable as exc:
        bad = exc.value
    except (TypeError, ValueError) as exc:  # non-string dict keys, circular references
        raise InvalidParameterError(f"{what} cannot be stored: {exc}") from None
    raise InvalidParameterError(
        f"{what} cannot be stored: {type(bad).__name__} {_short_repr(bad)} is not a number, "
        "string, bool, None, list or dict"
    )


def _short_repr(value: Any, limit: int = 80) -> str:
    try:
        text = repr(value)
    except Exception:
        return "(unprintable)"
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def loads(text: str | None) -> Any:
    return json.loads(text) if text else None
