"""Engines for the two supported databases, and schema migration on open."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DatabaseError

from jupyter_mlws.exceptions import MissingExtraError, WorkspaceError
from jupyter_mlws.permissions import AccessModes

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 60_000


_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_connections_after_fork() -> None:
    # A forked child must not share the parent's pooled connections (or SQLite locks).
    for engine in list(_engines):
        engine.dispose(close=False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_connections_after_fork)


def make_engine(url: str, modes: AccessModes | None = None) -> Engine:
    if url.startswith("sqlite"):
        _create_sqlite_file(url, modes if modes is not None else AccessModes())
        engine = _sqlite_engine(url)
    elif url.startswith("postgresql"):
        engine = _postgres_engine(url)
    else:
        engine = None
    if engine is not None:
        _engines.add(engine)
        return engine
    raise WorkspaceError(
        f"unsupported store URL {url!r}: use sqlite:///PATH or postgresql+psycopg://…"
    )


def _create_sqlite_file(url: str, modes: AccessModes) -> None:
    """Create the database file with our mode before SQLite does (it would use 0644
    minus the umask). SQLite gives its -wal and -shm files the mode of the database
    file, so this one mode covers all three."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    # An existing database keeps the mode its owner gave it; other errors (a missing
    # folder) are left for SQLite to report in its own words.
    with contextlib.suppress(OSError):
        os.close(modes.create_file(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL))


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(
        url,
        # Autocommit at the driver level; we issue BEGIN IMMEDIATE ourselves so that
        # writers queue on the busy timeout instead of failing on lock upgrades.
        connect_args={
            "isolation_level": None,
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
            "check_same_thread": False,
        },
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get("mlws_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: str) -> Engine:
    try:
        return create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=4)
    except ModuleNotFoundError:
        raise MissingExtraError("psycopg", "postgres") from None


def ensure_schema(engine: Engine) -> None:
    """Create or upgrade the schema; refuse a database written by newer code."""
    from jupyter_mlws.store.migrations import HEAD_REVISION, KNOWN_REVISIONS

    try:
        current = _current_revision(engine)
    except DatabaseError as exc:
        raise WorkspaceError(f"cannot open the workspace database: {_one_line(exc.orig)}") from None
    if current == HEAD_REVISION:
        return
    if current is not None and current not in KNOWN_REVISIONS:
        raise WorkspaceError(
            f"the workspace database has schema revision {current}, newer than this "
            "jupyter-mlws understands; upgrade it: pip install -U jupyter-mlws"
        )
    _upgrade(engine)


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        return row[0] if row else None


def _upgrade(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _one_line(error: BaseException | None) -> str:
    return " ".join(str(error).split())
