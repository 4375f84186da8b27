"""The change feed: what changed since a cursor, as run ids and kinds.

A client keeps the cursor it was given and asks again with it; it gets back the runs
whose record moved (``run``), the runs that got metric points (``metrics``), and the
whole lists whose contents changed (``experiments``, ``targets``, ``models``,
``endpoints``), then refetches only those. The cursor carries the time of the last
answer and a fingerprint per list, so the server keeps no state per client.

Writers stamp rows with their own clock before they commit, so a change committed a
moment late can carry a time before the last answer: run changes are looked up with an
overlap of ``OVERLAP_MS`` and may be reported twice; each carries a ``version`` so the
client skips what it has already seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jupyter_mlws.entities import Change, ChangeKind, now_ms
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.store.changes import LISTS
from jupyter_mlws.workspace import Workspace

OVERLAP_MS = 3_000
_PREFIX = "c1"


@dataclass(frozen=True)
class ChangeFeed:
    cursor: str
    changes: list[Change]

    def to_dict(self) -> dict[str, Any]:
        return {"cursor": self.cursor, "changes": [c.to_dict() for c in self.changes]}


def changes_since(ws: Workspace, cursor: str | None = None) -> ChangeFeed:
    """What changed since ``cursor``; without one, nothing yet (and a cursor to ask with)."""
    now = now_ms()
    fingerprints = ws.store.list_fingerprints()
    fresh = _encode(now, fingerprints)
    if not cursor:
        return ChangeFeed(fresh, [])
    since, seen = _decode(cursor)
    changes = ws.store.changed_runs(since - OVERLAP_MS)
    changes += [
        Change(kind, fingerprints[kind]) for kind in LISTS if seen.get(kind) != fingerprints[kind]
    ]
    return ChangeFeed(fresh, changes)


def _encode(at_ms: int, fingerprints: dict[ChangeKind, int]) -> str:
    return ".".join([_PREFIX, str(at_ms), *(str(fingerprints[k]) for k in LISTS)])


def _decode(cursor: str) -> tuple[int, dict[ChangeKind, int]]:
    """The time and list fingerprints a cursor holds. A cursor from a server with other
    lists (an upgrade) is still good: a list it lacks reads as changed."""
    parts = cursor.split(".")
    numeric = all(p.isascii() and p.isdigit() for p in parts[1:])
    if parts[0] != _PREFIX or len(parts) < 2 or not numeric:
        raise InvalidParameterError(f"cursor {cursor!r} is not one this server gave out")
    numbers = [int(p) for p in parts[1:]]
    return numbers[0], dict(zip(LISTS, numbers[1:]))
