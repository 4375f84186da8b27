"""The local agent fires schedules where no Jupyter server runs: each due time once, even
with another scheduler racing it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from helpers import wait_until

from jupyter_mlws import Workspace
from jupyter_mlws.compute import local_agent
from jupyter_mlws.pipeline import Pipeline, PipelineData, PythonScriptStep, Schedule
from jupyter_mlws.pipeline.schedule import SCHEDULE_PROPERTY
from jupyter_mlws.pipeline.scheduler import Scheduler
from jupyter_mlws.services import schedules


def test_the_local_agent_fires_each_due_time_once(
    ws: Workspace, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = PipelineData("out")
    step = PythonScriptStep(
        "prep.py", name="prep", source_directory=src, outputs=[out], arguments=["--out", out, "1"]
    )
    published = Pipeline(ws, [step]).publish("every-second")
    monkeypatch.setenv(schedules.ENV_AGENT_POLL, "0.1")
    local_agent.start(ws, [])
    wait_until(lambda: local_agent.status(ws) is not None, timeout=60)
    # a second scheduler (as a Jupyter server's would be) races the agent for each time
    stop = threading.Event()
    ours: list[str] = []
    racer = threading.Thread(
        target=Scheduler(Workspace.open(ws.root), 0.1).run,
        args=(stop, lambda f: ours.append(f.run_id or "")),
    )
    racer.start()
    try:
        schedule = Schedule.create(
            ws, "tick", pipeline_id=published.id, experiment_name="sched", cron="* * * * * *"
        )
        # the agent fires some of them by itself (not only the racer)
        wait_until(lambda: len(schedule.firings(100)) - len(ours) >= 2, timeout=120)
        schedule.disable()
    finally:
        stop.set()
        racer.join(60)
        assert local_agent.stop(ws)
    firings = schedule.firings(1000)
    runs, _ = ws.store.list_runs(limit=1000)
    scheduled = sorted(
        r.id for r in runs if r.kind == "pipeline" and r.properties.get(SCHEDULE_PROPERTY) == "tick"
    )
    assert all(f["run_id"] and not f["error"] for f in firings)
    assert sorted(f["run_id"] for f in firings) == scheduled  # one run per due time
    assert len({f["due_ms"] for f in firings}) == len(firings)
    assert set(ours) < set(scheduled)


def test_the_scheduler_is_a_declared_agent_task(ws: Workspace) -> None:
    names = [name for name, _ in local_agent.background_tasks(ws)]
    assert names == ["scheduler"]
