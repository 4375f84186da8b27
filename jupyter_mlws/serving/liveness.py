"""Noticing endpoints whose service died (killed, crashed, machine restarted)."""

from __future__ import annotations

from jupyter_mlws import processes
from jupyter_mlws.entities import EndpointRecord, EndpointState
from jupyter_mlws.processes import process_started
from jupyter_mlws.store import SqlStore
from jupyter_mlws.tracking.liveness import this_host

DEAD = (
    "the service process is gone (killed, crashed or machine restarted): "
    "`mlws endpoint start {name}` starts it again"
)


__all__ = ["is_running", "observe", "process_alive", "process_started"]


def process_alive(pid: int | None, started: float | None) -> bool:
    # services are started detached by whoever deploys them: reap ours when they exit
    return processes.process_alive(pid, started, reap=True)


def is_running(record: EndpointRecord) -> bool:
    return record.host == this_host() and process_alive(record.pid, record.pid_started)


def observe(store: SqlStore, record: EndpointRecord) -> EndpointRecord:
    """Mark an endpoint recorded as up whose process is gone as Dead, and return it fresh."""
    up = (EndpointState.HEALTHY, EndpointState.TRANSITIONING)
    if record.state not in up or record.pid is None or record.host != this_host():
        return record
    if process_alive(record.pid, record.pid_started):
        return record
    return store.update_endpoint(
        record.name,
        state=EndpointState.DEAD,
        pid=None,
        error={"message": DEAD.format(name=record.name)},
    )
