"""Runs: create, status transitions, heartbeats, queue claims, params/tags/properties."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import (
    Connection,
    delete,
    func,
    insert,
    select,
    text,
    update,
)

from jupyter_mlws.entities import CONTROLLER_KINDS, RunRecord, RunStatus, now_ms, validate_name
from jupyter_mlws.exceptions import (
    ImmutableValueError,
    InvalidParameterError,
    ResourceNotFoundError,
)
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.activity import log_activity
from jupyter_mlws.store.base import dumps, dumps_value
from jupyter_mlws.store.run_queries import KV_TABLES, RunQueriesMixin


class RunsMixin(RunQueriesMixin):
    """Writing runs: creation, status transitions, heartbeats, queue claims, params."""

    # ---- create -------------------------------------------------------------------
    def create_run(
        self,
        experiment_id: int,
        *,
        kind: str,
        compute: str = "local",
        status: RunStatus = RunStatus.NOT_STARTED,
        display_name: str | None = None,
        parent_id: str | None = None,
        snapshot_id: str | None = None,
        definition: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        started: bool = False,
    ) -> RunRecord:
        run_id = uuid.uuid4().hex
        now = now_ms()
        with self.write() as conn:
            number = self._next_run_number(conn, experiment_id)
            known = select(t.snapshots.c.id).where(t.snapshots.c.id == snapshot_id)
            if snapshot_id is not None and conn.execute(known).first() is None:
                raise ResourceNotFoundError(f"snapshot {snapshot_id!r} does not exist")
            parent_pk = self.run_pk(conn, parent_id) if parent_id else None
            result = conn.execute(
                insert(t.runs).values(
                    id=run_id,
                    experiment_id=experiment_id,
                    number=number,
                    display_name=display_name or f"run-{number}",
                    kind=kind,
                    status=status.value,
                    compute=compute,
                    parent_pk=parent_pk,
                    snapshot_id=snapshot_id,
                    definition=dumps(dict(definition or {})),
                    created_ms=now,
                    started_ms=now if started else None,
                    heartbeat_ms=now if started else None,
                    updated_ms=now,
                )
            )
            assert result.inserted_primary_key is not None
            pk = result.inserted_primary_key[0]
            for name, values in (("params", params), ("tags", tags), ("properties", properties)):
                if values:
                    self._write_kv(conn, name, pk, values)
        return self.get_run(run_id)

    def _next_run_number(self, conn: Connection, experiment_id: int) -> int:
        # The UPDATE takes the row lock first (PostgreSQL), so numbers never collide.
        updated = conn.execute(
            update(t.experiments)
            .where(t.experiments.c.id == experiment_id)
            .values(next_run_number=t.experiments.c.next_run_number + 1)
        )
        if updated.rowcount == 0:
            raise ResourceNotFoundError(f"experiment {experiment_id!r} does not exist")
        value = conn.execute(
            select(t.experiments.c.next_run_number).where(t.experiments.c.id == experiment_id)
        ).scalar_one()
        return int(value) - 1

    # ---- read ---------------------------------------------------------------------
    # ---- status -------------------------------------------------------------------
    def transition(
        self,
        run_id: str,
        status: RunStatus,
        *,
        only_from: Iterable[RunStatus] | None = None,
        error: Mapping[str, Any] | None = None,
        activity: str | None = None,
        **fields: Any,
    ) -> bool:
        """Compare-and-set the status; returns False when the run was not in ``only_from``.

        Terminal states are final: a run that already ended is never changed. A user's
        act (``activity="cancel"``) is recorded in the activity log when it changed the run.
        """
        now = now_ms()
        values: dict[str, Any] = {"status": status.value, "updated_ms": now, **fields}
        if status is RunStatus.RUNNING and "started_ms" not in fields:
            values.setdefault("heartbeat_ms", now)
        if status.is_terminal:
            values.setdefault("ended_ms", now)
        if error is not None:
            values["error"] = dumps(dict(error))
        allowed = [
            s.value for s in (RunStatus if only_from is None else only_from) if not s.is_terminal
        ]
        with self.write() as conn:
            stmt = (
                update(t.runs)
                .where(t.runs.c.id == run_id, t.runs.c.status.in_(allowed))
                .values(**values)
            )
            if status is RunStatus.RUNNING:
                stmt = stmt.values(started_ms=fields.get("started_ms", now))
            changed = conn.execute(stmt).rowcount > 0
            if not changed:
                self.run_pk(conn, run_id)  # raises for an unknown run
            elif activity is not None:
                log_activity(conn, "run", activity, run_id, {"status": status.value})
        return changed

    def reopen_run(self, run_id: str, definition: Mapping[str, Any]) -> bool:
        """Queue an ended composite run again with a new definition (a sweep given more
        trials). The only way out of a terminal state, compare-and-set like
        ``transition``: False when the run is not ended (or another reopen won)."""
        terminal = [s.value for s in RunStatus if s.is_terminal]
        with self.write() as conn:
            changed = conn.execute(
                update(t.runs)
                .where(t.runs.c.id == run_id, t.runs.c.status.in_(terminal))
                .values(
                    status=RunStatus.QUEUED.value,
                    definition=dumps(dict(definition)),
                    ended_ms=None,
                    error=None,
                    # the last runner's process is gone: left here, an observer would
                    # take the next runner's run for lost while it prepares
                    host=None,
                    pid=None,
                    pid_started=None,
                    updated_ms=now_ms(),
                )
            ).rowcount
            if not changed:
                self.run_pk(conn, run_id)
        return changed > 0

    def heartbeat(self, run_id: str) -> RunStatus:
        """Record liveness and return the current status (so runners see cancel requests)."""
        now = now_ms()
        with self.write() as conn:
            conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(heartbeat_ms=now))
            status = conn.execute(
                select(t.runs.c.status).where(t.runs.c.id == run_id)
            ).scalar_one_or_none()
        if status is None:
            raise ResourceNotFoundError(f"run {run_id!r} does not exist")
        return RunStatus(status)

    def run_status(self, run_id: str) -> RunStatus:
        """The status alone: a read that runners poll between heartbeats."""
        with self.read() as conn:
            status = conn.execute(
                select(t.runs.c.status).where(t.runs.c.id == run_id)
            ).scalar_one_or_none()
        if status is None:
            raise ResourceNotFoundError(f"run {run_id!r} does not exist")
        return RunStatus(status)

    def set_run_fields(self, run_id: str, **fields: Any) -> None:
        with self.write() as conn:
            conn.execute(
                update(t.runs).where(t.runs.c.id == run_id).values(updated_ms=now_ms(), **fields)
            )

    def run_pid_started(self, run_id: str) -> float | None:
        with self.read() as conn:
            return conn.execute(
                select(t.runs.c.pid_started).where(t.runs.c.id == run_id)
            ).scalar_one_or_none()

    def claim_queued(self, compute: str, max_active: int | None = None) -> list[str]:
        """Move queued runs of a target to Preparing, oldest first, keeping at most
        ``max_active`` runs active on it. Counting and claiming share one transaction
        (serialised per target), so concurrent submitters never exceed the limit.
        Controllers (``CONTROLLER_KINDS``) are always claimed and never counted."""
        active = [s.value for s in RunStatus if s.is_active]
        controllers = list(CONTROLLER_KINDS)
        queued = (t.runs.c.compute == compute, t.runs.c.status == RunStatus.QUEUED.value)
        oldest = (t.runs.c.created_ms, t.runs.c.pk)
        with self.write() as conn:
            if not self.is_sqlite:  # SQLite's BEGIN IMMEDIATE already serialises writers
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:c))"), {"c": compute})
            ids = list(
                conn.execute(
                    select(t.runs.c.id)
                    .where(*queued, t.runs.c.kind.in_(controllers))
                    .order_by(*oldest)
                ).scalars()
            )
            query = (
                select(t.runs.c.id)
                .where(*queued, t.runs.c.kind.not_in(controllers))
                .order_by(*oldest)
            )
            if max_active is not None:
                running = conn.execute(
                    select(func.count()).where(
                        t.runs.c.compute == compute,
                        t.runs.c.status.in_(active),
                        t.runs.c.kind.not_in(controllers),
                    )
                ).scalar_one()
                query = query.limit(max(0, max_active - running))
            ids += conn.execute(query).scalars()
            if ids:
                now = now_ms()
                conn.execute(
                    update(t.runs)
                    .where(t.runs.c.id.in_(ids), t.runs.c.status == RunStatus.QUEUED.value)
                    .values(status=RunStatus.PREPARING.value, heartbeat_ms=now, updated_ms=now)
                )
        return ids

    def count_active(self, compute: str) -> int:
        with self.read() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(
                        t.runs.c.compute == compute,
                        t.runs.c.status.in_([s.value for s in RunStatus if s.is_active]),
                    )
                ).scalar_one()
            )

    # ---- params, tags, properties ---------------------------------------------------
    def set_params(self, run_id: str, values: Mapping[str, Any]) -> None:
        self._set_kv(run_id, "params", values)

    def set_properties(self, run_id: str, values: Mapping[str, Any]) -> None:
        self._set_kv(run_id, "properties", values)

    def set_tags(self, run_id: str, values: Mapping[str, Any]) -> None:
        self._set_kv(run_id, "tags", values)

    def remove_tags(self, run_id: str, keys: Iterable[str]) -> None:
        with self.write() as conn:
            pk = self.run_pk(conn, run_id)
            conn.execute(
                delete(t.run_tags).where(
                    t.run_tags.c.run_pk == pk, t.run_tags.c.key.in_(list(keys))
                )
            )

    def _set_kv(self, run_id: str, name: str, values: Mapping[str, Any]) -> None:
        with self.write() as conn:
            self._write_kv(conn, name, self.run_pk(conn, run_id), values)

    def _write_kv(self, conn: Connection, name: str, pk: int, values: Mapping[str, Any]) -> None:
        table = KV_TABLES[name]
        kind = name[:-1] if name != "properties" else "property"
        clean = {
            validate_name(kind, str(k)): _as_text(v, f"{kind} {k!r}") for k, v in values.items()
        }
        existing = dict(
            conn.execute(
                select(table.c.key, table.c.value).where(
                    table.c.run_pk == pk, table.c.key.in_(list(clean))
                )
            ).all()
        )
        if name != "tags":  # params and properties are immutable once set
            for key, value in clean.items():
                if key in existing and existing[key] != value:
                    raise ImmutableValueError(
                        f"{kind} {key!r} is already {existing[key]!r} and cannot change to "
                        f"{value!r}; {name} are immutable (use a tag for mutable values)"
                    )
        new = [{"run_pk": pk, "key": k, "value": v} for k, v in clean.items() if k not in existing]
        if new:
            conn.execute(insert(table), new)
        for key, value in clean.items():
            if key in existing and existing[key] != value:
                conn.execute(
                    update(table)
                    .where(table.c.run_pk == pk, table.c.key == key)
                    .values(value=value)
                )
        conn.execute(update(t.runs).where(t.runs.c.pk == pk).values(updated_ms=now_ms()))


def _as_text(value: Any, what: str) -> str:
    text = value if isinstance(value, str) else dumps_value(value, what)
    if len(text) > 8000:
        raise InvalidParameterError("param/tag/property values are limited to 8000 characters")
    return text
