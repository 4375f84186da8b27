"""Opening a database: migrate an empty one, reopen an existing one, refuse what we
cannot understand with a WorkspaceError that says what to do."""

from __future__ import annotations

import gc
import sqlite3
import warnings
from pathlib import Path

import pytest
from postgres import PostgresServer
from sqlalchemy import text

from jupyter_mlws.exceptions import WorkspaceError
from jupyter_mlws.store import SqlStore, open_store
from jupyter_mlws.store.migrations import HEAD_REVISION


def collect_leaked_connections() -> None:
    """Close, quietly and now, what a refused ``open_store`` left for the garbage
    collector (see test_a_refused_open_leaves_no_connection_behind), so that the
    ResourceWarning is not blamed on whichever later test happens to trigger the GC."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def revision(store: SqlStore) -> str:
    with store.read() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def test_new_database_is_at_the_head_revision(store: SqlStore) -> None:
    assert revision(store) == HEAD_REVISION


def test_reopening_keeps_the_data(store_url: str) -> None:
    first = open_store(store_url)
    run = first.create_run(first.get_or_create_experiment("mnist").id, kind="script")
    first.log_metrics(run.id, [("loss", 0.5, 0, 1)])
    first.close()

    again = open_store(store_url)
    try:
        assert again.get_run(run.id).metrics == {"loss": 0.5}
        assert revision(again) == HEAD_REVISION
    finally:
        again.close()


def test_a_newer_schema_is_refused_with_upgrade_advice(store_url: str) -> None:
    store = open_store(store_url)
    with store.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    store.close()

    with pytest.raises(WorkspaceError, match="upgrade") as info:
        open_store(store_url)
    message = str(info.value)
    del info
    collect_leaked_connections()
    assert "9999_from_the_future" in message
    assert "pip install -U jupyter-mlws" in message


def test_a_refused_open_leaves_no_connection_behind(postgres_server: PostgresServer) -> None:
    """A Jupyter server retrying a workspace it refuses must not pile up connections."""
    with postgres_server.database() as url:
        store = open_store(url)
        with store.write() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
        store.close()
        assert postgres_server.connections_to(url) == 0

        with pytest.raises(WorkspaceError):
            open_store(url)
        left_open = postgres_server.connections_to(url)
        collect_leaked_connections()
        assert left_open == 0


def test_sqlite_file_with_unknown_revision_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES ('abc123')")
    conn.close()

    with pytest.raises(WorkspaceError, match="upgrade"):
        open_store(f"sqlite:///{path}")
    collect_leaked_connections()
    # Nothing was created in the refused database.
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"alembic_version"}


def test_a_file_that_is_not_a_database_is_a_workspace_error(tmp_path: Path) -> None:
    path = tmp_path / "mlws.db"
    path.write_bytes(b"this is not an SQLite database, just some text\n" * 100)
    with pytest.raises(WorkspaceError):
        open_store(f"sqlite:///{path}")
    collect_leaked_connections()
    assert path.read_bytes().startswith(b"this is not")


def test_unreachable_server_is_a_workspace_error() -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    with pytest.raises(WorkspaceError, match="cannot open"):
        open_store("postgresql+psycopg://nobody:secret@127.0.0.1:1/mlws")


def test_unsupported_url_is_a_workspace_error() -> None:
    with pytest.raises(WorkspaceError, match="unsupported"):
        open_store("mysql://localhost/mlws")
