"""Revision 0002 adds the registry and endpoint tables to an existing workspace database."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from jupyter_mlws.entities import FileEntry
from jupyter_mlws.store import SqlStore, open_store
from jupyter_mlws.store.engine import MIGRATIONS_DIR, make_engine
from jupyter_mlws.store.migrations import HEAD_REVISION

NEW_TABLES = {
    "models",
    "model_versions",
    "model_version_tags",
    "model_version_properties",
    "model_files",
    "model_aliases",
    "endpoints",
    "endpoint_models",
    "endpoint_keys",
    "endpoint_metrics",
}


def test_a_0001_database_is_upgraded_in_place_keeping_its_data(store_url: str) -> None:
    engine = make_engine(store_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    at_head = _revision(engine) == [HEAD_REVISION]  # PostgreSQL: cloned from a migrated template
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        if at_head:
            command.downgrade(cfg, "0001")  # which exercises the downgrade too
        else:
            command.upgrade(cfg, "0001")
    # today's store code writes today's schema (an activity row per change): the old
    # database gets its data by plain SQL, as the code of its time wrote it
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO experiments (name, created_ms) VALUES ('before-0002', 0)"))
    experiment = SqlStore(engine).get_experiment("before-0002")
    assert not NEW_TABLES & set(inspect(engine).get_table_names())
    engine.dispose()

    store = open_store(store_url)
    try:
        assert _revision(store.engine) == [HEAD_REVISION]
        assert set(inspect(store.engine).get_table_names()) >= NEW_TABLES
        assert store.get_experiment("before-0002").id == experiment.id
        version = store.create_model_version(
            "m", root="f", files=[FileEntry("f", "0" * 64, 1)], tags={"k": "v"}
        )
        assert version.ref == "m:1" and version.tags == {"k": "v"}
    finally:
        store.close()


def _revision(engine: object) -> list[str]:
    from sqlalchemy.engine import Engine
    from sqlalchemy.exc import SQLAlchemyError

    assert isinstance(engine, Engine)
    with engine.connect() as conn:
        try:
            return [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
        except SQLAlchemyError:
            return []
