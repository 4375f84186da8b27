"""Noticing runs whose process died: the database is the only source of truth."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from jupyter_mlws.entities import RunRecord, RunStatus, now_ms
from jupyter_mlws.processes import process_alive, process_identity
from jupyter_mlws.store import SqlStore

__all__ = ["LOST", "REDISPATCH_WHEN_LOST", "is_dead", "observe", "process_identity", "this_host"]

# A run-definition flag: when the run's process is lost it is queued again instead of
# failing. Controllers (of sweeps and pipelines) keep their state in the database, so a
# new runner continues where the lost one stopped.
REDISPATCH_WHEN_LOST = "redispatch_when_lost"

# Runs whose process is a remote client's (the MLflow REST API's): nothing here can see
# that process, so they are never found lost; the client ends them, as with MLflow.
REMOTE_CLIENT_COMPUTE = "mlflow"

LOST = (
    "lost: the process running it stopped without reporting (killed, crashed or machine restarted)"
)


@cache
def this_host() -> str:
    return socket.gethostname()


def is_dead(record: RunRecord, pid_started: float | None, lost_after_s: float) -> bool:
    if not record.status.is_active or record.compute == REMOTE_CLIENT_COMPUTE:
        return False
    if record.host == this_host() and record.pid:
        return not process_alive(record.pid, pid_started)
    beat = record.heartbeat_ms or record.created_ms
    return now_ms() - beat > lost_after_s * 1000


def observe(store: SqlStore, record: RunRecord, lost_after_s: float) -> RunRecord:
    """Mark an active run whose process is gone as Failed ("lost"), or queue it again when
    its definition asks so, and return it fresh."""
    if not record.status.is_active or record.compute == REMOTE_CLIENT_COMPUTE:
        return record
    if not is_dead(record, store.run_pid_started(record.id), lost_after_s):
        return record
    active = [s for s in RunStatus if s.is_active]
    if record.definition.get(REDISPATCH_WHEN_LOST) and record.status is not (
        RunStatus.CANCEL_REQUESTED
    ):
        # created_ms is older than the stale-queue delay, so the observer's queue kick
        # (kick_stale_queue) starts it again at once
        store.transition(
            record.id, RunStatus.QUEUED, only_from=active, host=None, pid=None, pid_started=None
        )
        return store.get_run(record.id)
    store.transition(
        record.id,
        RunStatus.FAILED,
        only_from=[s for s in RunStatus if s.is_active],
        error={"message": LOST, "code": "lost"},
    )
    return store.get_run(record.id)


# Starting queued runs is compute's job, a layer above; it registers how to do it here
# so that anyone who observes a stale queue (a waiting user, a list, the server) can
# restart it when the process that should have done so died.
QueueKicker = Callable[[Any, str], object]
_kickers: list[QueueKicker] = []
STALE_QUEUE_MS = 5_000
INTERACTIVE = "interactive"  # runs executed by the process that logs them: no target
_last_kick: dict[str, float] = {}


def register_queue_kicker(kicker: QueueKicker) -> None:
    _kickers[:] = [kicker]


def kick_stale_queue(workspace: Any, record: RunRecord) -> None:
    """A run Queued for a while, or a slot freed by a lost run: dispatch its target."""
    stale = record.status is RunStatus.QUEUED and now_ms() - record.created_ms > STALE_QUEUE_MS
    lost = record.status is RunStatus.FAILED and (record.error or {}).get("code") == "lost"
    if not (stale or lost) or not _kickers or record.compute == INTERACTIVE:
        return
    now = time.monotonic()
    if now - _last_kick.get(record.compute, 0.0) < STALE_QUEUE_MS / 1000:
        return
    _last_kick[record.compute] = now
    try:
        _kickers[0](workspace, record.compute)
    except Exception as exc:  # observing must not fail because a target is unavailable
        logging.getLogger(__name__).debug("mlws: could not dispatch %s: %s", record.compute, exc)
