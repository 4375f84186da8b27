"""A fresh PostgreSQL database per test, on the server named by ``MLWS_TEST_POSTGRES_URL``.

``.ci/run`` starts a throwaway server and sets the variable; on a developer machine, point
it at any server where the role may create databases::

    MLWS_TEST_POSTGRES_URL=postgresql+psycopg://USER:PASSWORD@127.0.0.1:5432/DB

(or run ``.ci/run --with-postgres python -m pytest tests/store``).

Each test gets its own database, cloned from a template that ``open_store`` migrated
once per session (so the Alembic migration is exercised on a real, empty PostgreSQL
database, and each test still starts from exactly what a new workspace looks like).
The databases are dropped after the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

ENV_URL = "MLWS_TEST_POSTGRES_URL"
DB_PREFIX = "mlws_test_"


def ci_enabled() -> bool:
    """True on CI, where tests that need a service must run, never skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def server_url_from_env() -> str | None:
    return os.environ.get(ENV_URL, "").strip() or None


def missing_reason() -> str:
    return (
        f"PostgreSQL tests need {ENV_URL}=postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB "
        "(a role allowed to CREATE DATABASE); `.ci/run --with-postgres python -m pytest` "
        "starts a throwaway server"
    )


class PostgresServerError(RuntimeError):
    """The server in MLWS_TEST_POSTGRES_URL cannot be used (message says why)."""


class PostgresServer:
    """Creates and drops per-test databases on one server."""

    def __init__(self, url: str) -> None:
        self.url: URL = make_url(url)
        if not self.url.drivername.startswith("postgresql"):
            raise PostgresServerError(f"{ENV_URL} must be a postgresql+psycopg:// URL, got {url!r}")
        # Autocommit: CREATE/DROP DATABASE cannot run inside a transaction.
        self.admin: Engine = create_engine(
            self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        self.template: str | None = None
        self._check()

    def _check(self) -> None:
        where = self.url.render_as_string(hide_password=True)
        try:
            with self.admin.connect() as conn:
                can_create = conn.execute(
                    text(
                        "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
                    )
                ).scalar()
        except SQLAlchemyError as exc:
            raise PostgresServerError(f"cannot connect to {where}: {exc}") from None
        if not can_create:
            raise PostgresServerError(
                f"the role {self.url.username!r} of {ENV_URL} may not create databases "
                f"(ALTER ROLE {self.url.username} CREATEDB)"
            )

    def url_for(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(sql)

    def _new_name(self) -> str:
        return f"{DB_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:10]}"

    def ensure_template(self) -> str:
        """A database migrated to the head revision by ``open_store`` itself (once)."""
        if self.template is None:
            from jupyter_mlws.store import open_store

            name = self._new_name() + "_tpl"
            self._execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
            try:
                open_store(self.url_for(name)).close()
            except BaseException:
                self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                raise
            self.template = name
        return self.template

    def create_database(self) -> str:
        """A new database holding the migrated schema and no data; returns its name."""
        template = self.ensure_template()
        name = self._new_name()
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def drop_database(self, name: str) -> None:
        # A plain DROP first: it also stops an autovacuum worker that is visiting the
        # database, which WITH (FORCE) refuses to do for a role that is not a superuser.
        try:
            self._execute(f'DROP DATABASE IF EXISTS "{name}"')
        except DBAPIError:
            # Still in use after PostgreSQL's grace period: a connection the test leaked.
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def connections_to(self, url: str) -> int:
        """How many sessions are connected to the database of this URL right now."""
        name = make_url(url).database
        with self.admin.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": name},
                ).scalar_one()
            )

    @contextmanager
    def database(self) -> Iterator[str]:
        """The URL of a fresh database, dropped afterwards."""
        name = self.create_database()
        try:
            yield self.url_for(name)
        finally:
            self.drop_database(name)

    def close(self) -> None:
        if self.template is not None:
            self.drop_database(self.template)
            self.template = None
        self.admin.dispose()
