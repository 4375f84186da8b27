"""Revision 0004 adds the environments table to an older database, in place."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from jupyter_mlws.store import SqlStore, open_store
from jupyter_mlws.store.engine import MIGRATIONS_DIR, make_engine
from jupyter_mlws.store.migrations import HEAD_REVISION


def _revision(engine: object) -> list[str]:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]


def test_a_0002_database_gains_environments_and_keeps_its_data(store_url: str) -> None:
    engine = make_engine(store_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        has_version = inspect(conn).has_table("alembic_version")
        if has_version and _revision(engine) == [HEAD_REVISION]:
            command.downgrade(cfg, "0002")  # exercises the downgrade too
        else:
            command.upgrade(cfg, "0002")
    # today's store code writes today's schema (an activity row per change): the old
    # database gets its data by plain SQL, as the code of its time wrote it
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO experiments (name, created_ms) VALUES ('before-0003', 0)"))
    experiment = SqlStore(engine).get_experiment("before-0003")
    assert "environments" not in inspect(engine).get_table_names()
    engine.dispose()

    store = open_store(store_url)
    try:
        assert _revision(store.engine) == [HEAD_REVISION]
        assert store.get_experiment("before-0003").id == experiment.id
        row = store.register_environment("sk", '{"requirements":["six"]}', "h" * 64)
        assert (row["version"], row["state"]) == (1, "NotBuilt")
    finally:
        store.close()
