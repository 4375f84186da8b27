"""The activity log in the store, on SQLite and PostgreSQL: a change records itself in
its own transaction, so a refused change records nothing; filters; secrets by name."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jupyter_mlws.entities import FileEntry, now_ms
from jupyter_mlws.exceptions import ResourceConflictError, ResourceNotFoundError
from jupyter_mlws.store import SqlStore
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.activity import acting, os_user


def _register(store: SqlStore, name: str) -> None:
    files = [FileEntry("model/w.bin", "0" * 64, 3, 0o644)]
    store.create_model_version(name, root="model", files=files)


def test_changes_record_who_and_which_door(store: SqlStore) -> None:
    _register(store, "clf")  # no door set: the SDK, as the OS user
    with acting("rest", "alice"):
        store.delete_model_version("clf", 1)
    entries = store.list_activity(kind="model")
    assert [(a.action, a.name, a.user, a.door) for a in entries] == [
        ("delete", "clf:1", "alice", "rest"),
        ("create", "clf:1", os_user(), "sdk"),
    ]
    assert entries[1].changes["files"] == 1


def test_a_refused_change_records_nothing(store: SqlStore) -> None:
    store.create_datastore("lake", "file:///tmp/lake", {})
    store.add_dataset_version(
        "d", kind="file", datastore="lake", pattern="*", reader={}, fingerprint="f", files=[]
    )
    before = len(store.list_activity())
    with pytest.raises(ResourceConflictError):
        store.delete_datastore("lake")  # referenced by a dataset version
    with pytest.raises(ResourceNotFoundError):
        store.delete_secret("never-set")
    assert len(store.list_activity()) == before
    assert store.list_activity(kind="datastore")[0].action == "create"


def test_filters_by_kind_user_time_and_limit(store: SqlStore) -> None:
    with acting("cli", "bob"):
        store.get_or_create_experiment("e1")
        store.add_target("gpu", "dask", {"managed": True})
    with acting("rest", "carol"):
        store.get_or_create_experiment("e2")
        store.delete_target("gpu")
    assert [a.name for a in store.list_activity(user="carol")] == ["gpu", "e2"]
    assert [a.action for a in store.list_activity(kind="compute")] == ["delete", "create"]
    assert [a.name for a in store.list_activity(kind="experiment", user="bob")] == ["e1"]
    assert len(store.list_activity(limit=3)) == 3
    assert store.list_activity(since_ms=now_ms() + 60_000) == []


def test_a_secret_is_logged_by_name_never_by_value(store: SqlStore) -> None:
    store.put_secret("db-password", b"ciphertext-of-s3cr3t")
    store.put_secret("db-password", b"ciphertext-again")
    store.delete_secret("db-password")
    entries = store.list_activity(kind="secret")
    assert [a.action for a in entries] == ["delete", "update", "create"]
    with store.read() as conn:
        rows = conn.execute(select(t.activity)).all()
    text = repr([tuple(r) for r in rows])
    assert "db-password" in text and "ciphertext" not in text


def test_a_0007_database_gains_the_activity_log(store_url: str) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect, text

    from jupyter_mlws.store import open_store
    from jupyter_mlws.store.engine import MIGRATIONS_DIR, make_engine

    engine = make_engine(store_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        if inspect(conn).has_table("alembic_version"):
            command.downgrade(cfg, "0007")  # which exercises the downgrade too
        else:
            command.upgrade(cfg, "0007")
    assert "activity" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO experiments (name, created_ms) VALUES ('old', 0)"))
    engine.dispose()

    store = open_store(store_url)
    try:
        assert store.get_experiment("old").name == "old"
        store.archive_experiment("old")
        assert [(a.action, a.name) for a in store.list_activity()] == [("archive", "old")]
    finally:
        store.close()
