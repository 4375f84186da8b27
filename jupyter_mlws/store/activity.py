"""The activity log: who created, changed or deleted what, when, through which door.

A change records itself: the store method making it adds one row to ``activity`` in its
own transaction, so a change that fails records nothing and a recorded change happened.
Who and which door come from the context (``acting``): each front door's entry sets
them; anything else (a script using the SDK, a job) is the OS user through ``sdk``.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Connection, insert, select

from jupyter_mlws.entities import now_ms
from jupyter_mlws.store import schema as t
from jupyter_mlws.store.base import StoreBase, dumps, loads

DEFAULT_DOOR = "sdk"
KINDS = (
    "experiment",
    "run",
    "model",
    "endpoint",
    "compute",
    "environment",
    "dataset",
    "datastore",
    "secret",
)


@dataclass(frozen=True)
class Actor:
    user: str
    door: str


_actor: ContextVar[Actor | None] = ContextVar("mlws_actor", default=None)


@cache
def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # a uid without a passwd entry (some containers)
        return str(os.getuid())


def current_actor() -> Actor:
    return _actor.get() or Actor(os_user(), DEFAULT_DOOR)


def door_is_set() -> bool:
    return _actor.get() is not None


@contextmanager
def acting(door: str, user: str | None = None) -> Iterator[Actor]:
    """Changes made inside are recorded as ``user`` (default: the OS user) via ``door``."""
    actor = Actor(user or os_user(), door)
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


@dataclass(frozen=True)
class ActivityRecord:
    id: int
    time_ms: int
    user: str
    door: str
    action: str
    kind: str
    name: str
    changes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time_ms": self.time_ms,
            "user": self.user,
            "door": self.door,
            "action": self.action,
            "kind": self.kind,
            "name": self.name,
            "changes": self.changes,
        }


def log_activity(
    conn: Connection,
    kind: str,
    action: str,
    name: str | int,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """One row in the caller's write transaction ``conn``: it commits with the change."""
    actor = current_actor()
    conn.execute(
        insert(t.activity).values(
            time_ms=now_ms(),
            user_name=actor.user,
            door=actor.door,
            action=action,
            kind=kind,
            name=str(name),
            changes=dumps(dict(changes or {})),
        )
    )


class ActivityMixin(StoreBase):
    def record_activity(
        self, kind: str, action: str, name: str, changes: Mapping[str, Any] | None = None
    ) -> None:
        """An act whose change is written elsewhere (another process): its own row."""
        with self.write() as conn:
            log_activity(conn, kind, action, name, changes)

    def list_activity(
        self,
        *,
        since_ms: int | None = None,
        kind: str | None = None,
        user: str | None = None,
        limit: int = 100,
    ) -> list[ActivityRecord]:
        """Newest first."""
        c = t.activity.c
        query = select(t.activity).order_by(c.id.desc()).limit(limit)
        if since_ms is not None:
            query = query.where(c.time_ms >= since_ms)
        if kind is not None:
            query = query.where(c.kind == kind)
        if user is not None:
            query = query.where(c.user_name == user)
        with self.read() as conn:
            rows = conn.execute(query).all()
        return [
            ActivityRecord(
                id=row.id,
                time_ms=row.time_ms,
                user=row.user_name,
                door=row.door,
                action=row.action,
                kind=row.kind,
                name=row.name,
                changes=loads(row.changes) or {},
            )
            for row in rows
        ]
