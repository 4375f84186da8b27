"""Compute target definitions and their last known state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from jupyter_mlws.entities import now_ms
from jupyter_mlws.exceptions import ResourceAlreadyExistsError, ResourceNotFoundError
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.activity import log_activity
from jupyter_mlws.store.base import StoreBase, dumps, loads

TargetRow = dict[str, Any]


def _row(row: Any) -> TargetRow:
    return {
        "name": row.name,
        "type": row.type,
        "config": loads(row.config) or {},
        "state": loads(row.state) or {},
        "created_ms": row.created_ms,
        "updated_ms": row.updated_ms,
    }


class TargetsMixin(StoreBase):
    def add_target(self, name: str, type_: str, config: dict[str, Any]) -> TargetRow:
        now = now_ms()
        with self.write() as conn:
            if conn.execute(
                select(t.compute_targets.c.name).where(t.compute_targets.c.name == name)
            ).first():
                raise ResourceAlreadyExistsError(f"compute target {name!r} already exists")
            conn.execute(
                insert(t.compute_targets).values(
                    name=name,
                    type=type_,
                    config=dumps(config),
                    state="{}",
                    created_ms=now,
                    updated_ms=now,
                )
            )
            log_activity(conn, "compute", "create", name, {"type": type_})
        return self.get_target(name)

    def get_target(self, name: str) -> TargetRow:
        with self.read() as conn:
            row = conn.execute(
                select(t.compute_targets).where(t.compute_targets.c.name == name)
            ).first()
        if row is None:
            raise ResourceNotFoundError(f"compute target {name!r} does not exist")
        return _row(row)

    def list_targets(self) -> list[TargetRow]:
        with self.read() as conn:
            rows = conn.execute(select(t.compute_targets).order_by(t.compute_targets.c.name))
            return [_row(r) for r in rows]

    def update_target(
        self,
        name: str,
        *,
        config: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
        activity: str | None = None,
    ) -> None:
        """``activity``: a user's act (``"start"``, ``"stop"``, …) to log with the change."""
        values: dict[str, Any] = {"updated_ms": now_ms()}
        if config is not None:
            values["config"] = dumps(config)
        if state is not None:
            values["state"] = dumps(state)
        with self.write() as conn:
            done = conn.execute(
                update(t.compute_targets).where(t.compute_targets.c.name == name).values(**values)
            ).rowcount
            if done and activity is not None:
                status = (state or {}).get("status")
                log_activity(conn, "compute", activity, name, {"status": status} if status else {})
        if not done:
            raise ResourceNotFoundError(f"compute target {name!r} does not exist")

    def delete_target(self, name: str) -> None:
        with self.write() as conn:
            done = conn.execute(
                delete(t.compute_targets).where(t.compute_targets.c.name == name)
            ).rowcount
            if done:
                log_activity(conn, "compute", "delete", name)
        if not done:
            raise ResourceNotFoundError(f"compute target {name!r} does not exist")
