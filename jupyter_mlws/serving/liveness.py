"""Noticing endpoints whose service died (killed, crashed, machine restarted)."""

from __future__ import annotations

import contextlib
import os

import psutil

from jupyter_mlws.entities import EndpointRecord, EndpointState
from jupyter_mlws.store import SqlStore
from jupyter_mlws.tracking.liveness import this_host

DEAD = (
    "the service process is gone (killed, crashed or machine restarted): "
    "`mlws endpoint start {name}` starts it again"
)


def process_alive(pid: int | None, started: float | None) -> bool:
    if not pid:
        return False
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)  # reap it if this process started it
    try:
        proc = psutil.Process(pid)
        if started is not None and abs(proc.create_time() - started) > 1.0:
            return False  # the pid was reused by another process
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def process_started(pid: int) -> float | None:
    try:
        return float(psutil.Process(pid).create_time())
    except psutil.NoSuchProcess:
        return None


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
