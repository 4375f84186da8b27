"""Environment versions: immutable specs, their lock once built, and build state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from jupyter_mlws.entities import now_ms
from jupyter_mlws.exceptions import ResourceNotFoundError
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.activity import log_activity
from jupyter_mlws.store.base import StoreBase

EnvironmentRow = dict[str, Any]
_env = t.environments


def _row(row: Any) -> EnvironmentRow:
    return dict(row._mapping)


class EnvironmentsMixin(StoreBase):
    def register_environment(self, name: str, spec: str, spec_hash: str) -> EnvironmentRow:
        """The version of ``name`` with this spec: an existing one, else the next number
        (Azure's ``register`` adds a version only when the definition changed)."""
        for _attempt in range(5):
            with self.write() as conn:
                same = conn.execute(
                    select(_env)
                    .where(_env.c.name == name, _env.c.spec_hash == spec_hash)
                    .order_by(_env.c.version.desc())
                ).first()
                if same is not None:
                    return _row(same)
                top = conn.execute(
                    select(func.max(_env.c.version)).where(_env.c.name == name)
                ).scalar()
                try:
                    conn.execute(
                        insert(_env).values(
                            name=name,
                            version=int(top or 0) + 1,
                            spec=spec,
                            spec_hash=spec_hash,
                            state="NotBuilt",
                            created_ms=now_ms(),
                        )
                    )
                except IntegrityError:  # another writer took that number: look again
                    continue
                changes = {"version": int(top or 0) + 1}
                log_activity(conn, "environment", "create", f"{name}:{int(top or 0) + 1}", changes)
            return self.get_environment(name, int(top or 0) + 1)
        raise RuntimeError(f"could not register environment {name!r}: too much contention")

    def get_environment(self, name: str, version: int | None = None) -> EnvironmentRow:
        query = select(_env).where(_env.c.name == name)
        query = (
            query.where(_env.c.version == version)
            if version is not None
            else query.order_by(_env.c.version.desc()).limit(1)
        )
        with self.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            what = f"{name}:{version}" if version is not None else name
            raise ResourceNotFoundError(f"environment {what!r} does not exist")
        return _row(row)

    def list_environments(self, name: str | None = None) -> list[EnvironmentRow]:
        query = select(_env).order_by(_env.c.name, _env.c.version)
        if name is not None:
            query = query.where(_env.c.name == name)
        with self.read() as conn:
            return [_row(r) for r in conn.execute(query)]

    def set_environment_lock(self, name: str, version: int, lock: str, lock_hash: str) -> str:
        """Record the lock of a first build; a version that has one keeps it. Returns the
        lock hash now stored."""
        with self.write() as conn:
            conn.execute(
                update(_env)
                .where(_env.c.name == name, _env.c.version == version, _env.c.lock.is_(None))
                .values(lock=lock, lock_hash=lock_hash)
            )
        return str(self.get_environment(name, version)["lock_hash"])

    def set_environment_state(
        self,
        name: str,
        version: int,
        state: str,
        *,
        error: str | None = None,
        size_bytes: int | None = None,
    ) -> None:
        values: dict[str, Any] = {"state": state, "error": error}
        if state == "Ready":
            values.update(built_ms=now_ms(), last_used_ms=now_ms())
        if size_bytes is not None:
            values["size_bytes"] = size_bytes
        with self.write() as conn:
            done = conn.execute(
                update(_env).where(_env.c.name == name, _env.c.version == version).values(**values)
            ).rowcount
        if not done:
            raise ResourceNotFoundError(f"environment '{name}:{version}' does not exist")

    def touch_environment(self, name: str, version: int) -> None:
        with self.write() as conn:
            conn.execute(
                update(_env)
                .where(_env.c.name == name, _env.c.version == version)
                .values(last_used_ms=now_ms())
            )

    def delete_environment(self, name: str, version: int | None = None) -> int:
        """Delete one version (or every version of ``name``); returns how many."""
        query = delete(_env).where(_env.c.name == name)
        if version is not None:
            query = query.where(_env.c.version == version)
        with self.write() as conn:
            done = int(conn.execute(query).rowcount)
            if done:
                what = f"{name}:{version}" if version is not None else name
                log_activity(conn, "environment", "delete", what, {"versions": done})
        if not done:
            what = f"{name}:{version}" if version is not None else name
            raise ResourceNotFoundError(f"environment {what!r} does not exist")
        return done
