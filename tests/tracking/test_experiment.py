"""Experiments: only ``Workspace.experiment`` creates one; listings agree on liveness."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jupyter_mlws import Run, Workspace
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import ResourceNotFoundError
from jupyter_mlws.tracking import Experiment


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")


def _experiment_rows(ws: Workspace) -> list[tuple[str, bool]]:
    return [(e.name, e.archived) for e in ws.experiments(include_archived=True)]


def test_the_experiment_of_a_run_of_an_archived_experiment_is_that_one(ws: Workspace) -> None:
    with ws.experiment("old").start_run() as run:
        pass
    ws.experiment("old").archive()
    before = _experiment_rows(ws)
    experiment = Run(ws, run.id).experiment
    assert experiment.name == "old" and experiment.info.archived
    assert experiment.id == run.record.experiment_id
    assert _experiment_rows(ws) == before == [("old", True)]  # no second, empty "old"


def test_constructing_an_experiment_writes_nothing(ws: Workspace) -> None:
    with pytest.raises(ResourceNotFoundError, match="'fresh' does not exist"):
        Experiment(ws, "fresh")
    assert _experiment_rows(ws) == []
    created = ws.experiment("fresh")  # the one call that creates
    assert Experiment(ws, "fresh").id == created.id
    assert _experiment_rows(ws) == [("fresh", False)]


KILLED = """
import os, signal
from jupyter_mlws import Workspace
run = Workspace.current().experiment("exp").start_logging("doomed")
print(run.id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_sigkilled_run_is_failed_in_every_listing(ws: Workspace, tmp_path: Path) -> None:
    env = {**os.environ, "MLWS_WORKSPACE": str(ws.root)}
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    run_id = proc.stdout.split()[0]
    assert ws.store.get_run(run_id).status is RunStatus.RUNNING  # as stored: nobody looked

    listed = ws.experiment("exp").get_runs()  # the first to look: the SDK's listing
    assert [(r.id, r.record.status) for r in listed] == [(run_id, RunStatus.FAILED)]
    assert "lost" in (listed[0].record.error or {})["message"]
    assert ws.experiment("exp").get_runs(status="Running") == []
    cli = subprocess.run(
        [sys.executable, "-m", "jupyter_mlws.cli", "run", "list", "-e", "exp", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert [r["status"] for r in json.loads(cli.stdout)] == ["Failed"]
    assert Run(ws, run_id).status is RunStatus.FAILED


def test_a_running_filter_leaves_out_a_run_found_dead(ws: Workspace) -> None:
    """A listing filtered by status re-checks what it returns: a run that dies between
    the query and the check is not shown as Running."""
    script = "import time\nwhile True: time.sleep(1)\n"
    sleeper = subprocess.Popen([sys.executable, "-c", script])
    try:
        run = ws.experiment("exp").start_logging()
        ws.store.set_run_fields(run.id, pid=sleeper.pid, pid_started=None)
        assert [r.id for r in ws.experiment("exp").get_runs(status="Running")] == [run.id]
    finally:
        sleeper.kill()
        sleeper.wait()
    assert ws.store.get_run(run.id).status is RunStatus.RUNNING  # as stored
    assert ws.experiment("exp").get_runs(status="Running") == []
    assert ws.store.get_run(run.id).status is RunStatus.FAILED
