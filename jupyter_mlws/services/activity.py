"""The workspace's activity log for every front door: who created, changed or deleted
what, when, and through which door.

Changes record themselves where they are made (the store, in the change's own
transaction); a front door only says who is acting and through which door
(``acting``), once, at its entry. Reading is ``list_activity`` with the filters of
``mlws activity`` and ``GET /mlws/api/v1/activity``.
"""

from __future__ import annotations

from jupyter_mlws.entities import now_ms
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.serving.request_stats import parse_since
from jupyter_mlws.store.activity import (
    DEFAULT_DOOR,
    KINDS,
    ActivityRecord,
    Actor,
    acting,
    current_actor,
    door_is_set,
)
from jupyter_mlws.workspace import Workspace

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000

__all__ = [
    "DEFAULT_DOOR",
    "DEFAULT_LIMIT",
    "KINDS",
    "MAX_LIMIT",
    "ActivityRecord",
    "Actor",
    "acting",
    "current_actor",
    "door_is_set",
    "list_activity",
]


def list_activity(
    ws: Workspace,
    *,
    since: str | None = None,
    kind: str | None = None,
    user: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[ActivityRecord]:
    """Newest first; ``since`` like ``90s``, ``15m``, ``1h``, ``2d``, ``1w``."""
    since_ms = None if since is None else now_ms() - int(parse_since(since) * 1000)
    if kind is not None and kind not in KINDS:
        raise InvalidParameterError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameterError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    return ws.store.list_activity(since_ms=since_ms, kind=kind, user=user or None, limit=limit)
