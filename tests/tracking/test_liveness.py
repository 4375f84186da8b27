"""Lost runs: failed, or queued again when they are controllers that keep their state."""

from __future__ import annotations

import subprocess
import sys

import psutil

from jupyter_mlws.entities import RunStatus
from jupyter_mlws.store import SqlStore
from jupyter_mlws.tracking.liveness import REDISPATCH_WHEN_LOST, observe, this_host


def _running_with_a_dead_process(store: SqlStore, definition: dict[str, object]) -> str:
    experiment = store.get_or_create_experiment("lost")
    run = store.create_run(
        experiment.id, kind="sweep", compute="local", status=RunStatus.QUEUED, definition=definition
    )
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    pid, started = proc.pid, psutil.Process(proc.pid).create_time()  # a zombie until waited
    proc.wait()
    store.transition(run.id, RunStatus.RUNNING)
    store.set_run_fields(run.id, host=this_host(), pid=pid, pid_started=started)
    return run.id


def test_a_lost_run_fails(store: SqlStore) -> None:
    run_id = _running_with_a_dead_process(store, {})
    record = observe(store, store.get_run(run_id), lost_after_s=120)
    assert record.status is RunStatus.FAILED and (record.error or {})["code"] == "lost"


def test_a_lost_controller_is_queued_again_for_a_new_runner(store: SqlStore) -> None:
    run_id = _running_with_a_dead_process(store, {REDISPATCH_WHEN_LOST: True})
    record = observe(store, store.get_run(run_id), lost_after_s=120)
    assert record.status is RunStatus.QUEUED
    assert record.pid is None and record.host is None and record.error is None


def test_a_lost_controller_asked_to_cancel_is_not_started_again(store: SqlStore) -> None:
    run_id = _running_with_a_dead_process(store, {REDISPATCH_WHEN_LOST: True})
    store.transition(run_id, RunStatus.CANCEL_REQUESTED, only_from=[RunStatus.RUNNING])
    record = observe(store, store.get_run(run_id), lost_after_s=120)
    assert record.status is RunStatus.FAILED
