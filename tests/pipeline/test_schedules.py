"""Schedules: due times fire once however many schedulers race, disable stops firing,
missed times catch up once, change triggers fire on a changed path; bad input refused."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from helpers import MLWS, mlws_cli, wait_until
from pipeline_helpers import PREP, write

from jupyter_mlws import Workspace
from jupyter_mlws.data import Datastore
from jupyter_mlws.entities import now_ms
from jupyter_mlws.exceptions import (
    InvalidParameterError,
    ResourceAlreadyExistsError,
    ResourceNotFoundError,
)
from jupyter_mlws.pipeline import (
    Pipeline,
    PipelineData,
    PythonScriptStep,
    Schedule,
    ScheduleRecurrence,
)
from jupyter_mlws.pipeline.published import PipelineEndpoint, PublishedPipeline
from jupyter_mlws.pipeline.schedule import DUE_PROPERTY, SCHEDULE_PROPERTY
from jupyter_mlws.pipeline.scheduler import Firing, Scheduler

MINUTE_MS = 60_000


@pytest.fixture
def published(ws: Workspace, src: Path) -> PublishedPipeline:
    out = PipelineData("out")
    step = PythonScriptStep(
        "prep.py", name="prep", source_directory=src, outputs=[out], arguments=["--out", out, "1"]
    )
    return Pipeline(ws, [step]).publish("nightly")


def scheduled_runs(ws: Workspace, name: str) -> list[str]:
    runs, _ = ws.store.list_runs(limit=1000)
    return [
        r.id for r in runs if r.kind == "pipeline" and r.properties.get(SCHEDULE_PROPERTY) == name
    ]


def at(ms: int) -> Scheduler:
    """A scheduler of its own workspace connection whose clock stands at ``ms``."""
    return Scheduler(Workspace.open(os.environ["MLWS_TEST_WS"]), clock=lambda: ms / 1000)


@pytest.fixture(autouse=True)
def _ws_path(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLWS_TEST_WS", str(ws.root))


def race(due_clock_ms: int, schedulers: int = 4) -> list[list[Firing]]:
    """``schedulers`` threads, each with its own store connection, tick at once."""
    loops = [at(due_clock_ms) for _ in range(schedulers)]
    barrier = threading.Barrier(len(loops))
    results: list[list[Firing]] = [[] for _ in loops]

    def tick(i: int) -> None:
        barrier.wait()
        results[i] = list(loops[i].tick())

    threads = [threading.Thread(target=tick, args=(i,)) for i in range(len(loops))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_racing_schedulers_fire_a_due_time_once(
    ws: Workspace, published: PublishedPipeline
) -> None:
    schedule = Schedule.create(
        ws, "every-5", pipeline_id=published.id, experiment_name="sched", cron="*/5 * * * *"
    )
    due = schedule.next_due_ms()
    assert due is not None and due % (5 * MINUTE_MS) == 0
    results = race(due + 1000)
    fired = [f for r in results for f in r]
    assert len(fired) == 1
    firings = schedule.firings()
    assert [(f["due_ms"], f["run_id"]) for f in firings] == [(due, fired[0].run_id)]
    assert scheduled_runs(ws, "every-5") == [fired[0].run_id]
    run = ws.get_run(fired[0].run_id)
    assert run.record.properties[DUE_PROPERTY] == str(due)
    wait_until(lambda: ws.store.get_run(run.id).status.is_terminal)
    assert ws.store.get_run(run.id).status.value == "Completed"
    assert race(due + 2000) == [[], [], [], []]  # the same due time never fires again


def test_missed_times_catch_up_once_for_the_latest(
    ws: Workspace, published: PublishedPipeline
) -> None:
    schedule = Schedule.create(
        ws,
        "every-minute",
        pipeline_id=published.id,
        experiment_name="sched",
        recurrence=ScheduleRecurrence(frequency="Minute", interval=1),
    )
    start = schedule.spec["start_ms"]
    # nothing ran for an hour and a half: one firing, for the latest missed minute
    later = start + 90 * MINUTE_MS + 30_000
    fired = at(later).tick()
    assert [f.due_ms for f in fired] == [start + 90 * MINUTE_MS]
    assert at(later + 1000).tick() == []
    fired = at(start + 92 * MINUTE_MS).tick()
    assert [f.due_ms for f in fired] == [start + 92 * MINUTE_MS]
    assert len(scheduled_runs(ws, "every-minute")) == 2


def test_disable_stops_firing_and_enable_resumes(
    ws: Workspace, published: PublishedPipeline
) -> None:
    schedule = Schedule.create(
        ws, "hourly", pipeline_id=published.id, experiment_name="sched", cron="0 * * * *"
    )
    first = schedule.next_due_ms()
    assert first is not None
    schedule.disable()
    assert Schedule.get(ws, "hourly").status == "Disabled"
    assert Schedule.list(ws) == [] and len(Schedule.list(ws, active_only=False)) == 1
    assert at(first + 1000).tick() == [] and at(first + 3 * 3600_000).tick() == []
    schedule.enable()
    assert [f.due_ms for f in at(first + 1000).tick()] == [first]
    assert at(first + 2000).tick() == []
    assert len(scheduled_runs(ws, "hourly")) == 1


def test_a_changed_datastore_path_fires_once(ws: Workspace, published: PublishedPipeline) -> None:
    store = Datastore.default(ws)
    folder = Path(store.full_path("incoming"))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.csv").write_text("x\n1\n")
    schedule = Schedule.create(
        ws,
        "on-data",
        pipeline_id=published.id,
        experiment_name="sched",
        datastore=store,
        path_on_datastore="incoming/*.csv",
        polling_interval=0,
    )
    now = now_ms()
    assert race(now) == [[], [], [], []]  # nothing changed since it was created
    (folder / "b.csv").write_text("x\n2\n")
    fired = [f for r in race(now + 10) for f in r]
    assert len(fired) == 1 and fired[0].run_id
    assert race(now + 20) == [[], [], [], []]
    assert len(schedule.firings()) == 1


def test_bad_schedules_are_refused(ws: Workspace, published: PublishedPipeline) -> None:
    with pytest.raises(InvalidParameterError, match="does not parse"):
        Schedule.create(ws, "bad", pipeline_id=published.id, experiment_name="e", cron="61 * * * *")
    with pytest.raises(ResourceNotFoundError, match="published pipeline"):
        Schedule.create(ws, "bad", pipeline_id="nope", experiment_name="e", cron="* * * * *")
    with pytest.raises(ResourceNotFoundError, match="pipeline endpoint"):
        Schedule.create_for_pipeline_endpoint(ws, "bad", "nope", "e", cron="* * * * *")
    with pytest.raises(InvalidParameterError, match="frequency"):
        ScheduleRecurrence(frequency="Fortnight", interval=1).validate()
    with pytest.raises(InvalidParameterError, match="lrr"):
        Schedule.create(
            ws,
            "bad",
            pipeline_id=published.id,
            experiment_name="e",
            cron="* * * * *",
            pipeline_parameters={"lrr": 1},
        )
    Schedule.create(ws, "once", pipeline_id=published.id, experiment_name="e", cron="* * * * *")
    with pytest.raises(ResourceAlreadyExistsError):
        Schedule.create(ws, "once", pipeline_id=published.id, experiment_name="e", cron="0 * * * *")
    assert [s.name for s in Schedule.list(ws)] == ["once"]


def test_an_endpoint_schedule_runs_the_default_at_firing_time(
    ws: Workspace, published: PublishedPipeline
) -> None:
    endpoint = PipelineEndpoint.publish(ws, "train", pipeline=published)
    schedule = Schedule.create_for_pipeline_endpoint(
        ws, "ep", "train", "sched", recurrence=ScheduleRecurrence("Hour", 2)
    )
    second = PublishedPipeline.create(ws, "nightly", published.definition, "v2")
    endpoint.add_default(second)
    due = schedule.next_due_ms()
    assert due is not None
    (firing,) = at(due).tick()
    run = ws.store.get_run(str(firing.run_id))
    assert run.properties["mlws.pipeline.published_id"] == second.id
    assert Schedule.get(ws, "ep").get_last_pipeline_run().id == run.id  # type: ignore[union-attr]


# ---- the command line and two real scheduler processes ------------------------------------
PIPELINE_FILE = """
from jupyter_mlws.pipeline import Pipeline, PipelineData, PythonScriptStep
out = PipelineData("out")
pipeline = Pipeline(ws, steps=[PythonScriptStep("prep.py", source_directory="src",
                                                outputs=[out], arguments=["--out", out, "1"])])
"""


def test_two_scheduler_processes_fire_each_second_once(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    mlws_cli(project, "init")
    write(project / "src", "prep.py", PREP)
    write(project, "pipeline.py", PIPELINE_FILE)
    mlws_cli(project, "pipeline", "publish", "pipeline.py", "-n", "p", "--endpoint", "p")
    bad = mlws_cli(
        project,
        "schedule",
        "create",
        "s",
        "--endpoint",
        "p",
        "-e",
        "x",
        "--cron",
        "99 * *",
        check=False,
    )
    assert bad.returncode == 1 and "does not parse" in bad.stderr and "Traceback" not in bad.stderr
    env = {**os.environ, "MLWS_WORKSPACE": str(project / ".mlws")}
    procs = [
        subprocess.Popen(
            [*MLWS, "scheduler", "run", "--poll", "0.1"],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        # every second (croniter's sixth field): both processes try each due second
        mlws_cli(project, "schedule", "create", "s", "--endpoint", "p", "-e", "x",
                 "--cron", "* * * * * *")  # fmt: skip
        ws = Workspace.open(project / ".mlws")
        schedule = Schedule.get(ws, "s")
        wait_until(lambda: len(schedule.firings()) >= 3, timeout=120)
        mlws_cli(project, "schedule", "disable", "s")
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        outputs = [proc.communicate(timeout=60) for proc in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert all("scheduler: stopped" in out for out, _ in outputs)
    assert not any("Traceback" in err for _, err in outputs)
    firings = schedule.firings()
    runs = sorted(scheduled_runs(ws, "s"))
    assert all(f["run_id"] for f in firings)
    assert sorted(f["run_id"] for f in firings) == runs  # one run per due second, no more
    assert len({f["due_ms"] for f in firings}) == len(firings)
    fired_lines = [line for out, _ in outputs for line in out.splitlines() if " s  run " in line]
    assert len(fired_lines) == len(firings)
    listed = mlws_cli(project, "schedule", "list").stdout
    assert "Disabled" in listed and "cron * * * * * *" in listed


# ---- the decider itself, on SQLite and PostgreSQL ---------------------------------------
def test_claims_race_to_one_winner_on_each_database(store_url: str) -> None:
    from jupyter_mlws.store import open_store

    stores = [open_store(store_url) for _ in range(6)]
    try:
        stores[0].create_schedule("s", "cron", {"cron": "* * * * *"}, {"pipeline_id": "p"})
        barrier = threading.Barrier(len(stores))
        wins: list[bool] = [False] * len(stores)

        def claim(i: int) -> None:
            barrier.wait()
            wins[i] = stores[i].claim_firing("s", 60_000, state={"last_due_ms": 60_000})

        threads = [threading.Thread(target=claim, args=(i,)) for i in range(len(stores))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert wins.count(True) == 1
        assert stores[1].get_schedule("s")["state"]["last_due_ms"] == 60_000
        assert not stores[2].claim_firing("s", 0)  # an earlier time, after a later one fired
        stores[3].set_schedule_enabled("s", False)
        assert not stores[4].claim_firing("s", 120_000)  # disabled
        stores[3].set_schedule_enabled("s", True)
        assert stores[4].claim_firing(
            "s", 120_000, expect={"last_due_ms": 60_000}, state={"last_due_ms": 120_000}
        )
        assert not stores[5].claim_firing("s", 180_000, expect={"last_due_ms": 60_000})
        assert [f["due_ms"] for f in stores[0].list_firings("s")] == [120_000, 60_000]
    finally:
        for s in stores:
            s.close()


def test_recurrences_become_due_times() -> None:
    from jupyter_mlws.pipeline import recurrence as times

    def ms(text: str) -> int:
        return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp() * 1000)

    kind, spec = times.recurrence_spec("Month", 1, ms("2026-01-31T02:00"))
    assert kind == "interval"
    assert times.next_due(kind, spec, ms("2026-02-01T00:00")) == ms("2026-02-28T02:00")
    assert times.latest_due(kind, spec, 0, ms("2026-04-15T00:00")) == ms("2026-03-31T02:00")
    kind, spec = times.recurrence_spec(
        "Week", 1, 0, hours=[9], minutes=[30], week_days=["Monday", "Friday"]
    )
    assert (kind, spec["cron"]) == ("cron", "30 9 * * 1,5")
    assert times.next_due(kind, spec, ms("2026-12-03T12:00")) == ms("2026-12-04T09:30")  # a Friday
    kind, spec = times.recurrence_spec("Hour", 3, ms("2026-01-01T00:00"))
    assert times.latest_due(kind, spec, ms("2026-01-01T05:00"), ms("2026-01-01T07:00")) == ms(
        "2026-01-01T06:00"
    )
    assert times.latest_due(kind, spec, ms("2026-01-01T06:00"), ms("2026-01-01T07:00")) is None
    with pytest.raises(InvalidParameterError, match="time_zone"):
        times.cron_spec("* * * * *", "Mars/Olympus")
    # Azure's Windows zone names resolve as their IANA zones, daylight saving included:
    # 02:00 in Paris is 01:00 UTC in winter and 00:00 UTC in summer.
    kind, spec = times.CRON, times.cron_spec("0 2 * * *", "Romance Standard Time")
    assert times.next_due(kind, spec, ms("2026-01-10T00:00")) == ms("2026-01-10T01:00")
    assert times.next_due(kind, spec, ms("2026-07-10T03:00")) == ms("2026-07-11T00:00")
    naive_start = ScheduleRecurrence("Day", 1, "2026-01-10T02:00", "Europe/Paris")
    assert naive_start.spec(0)[1]["start_ms"] == ms("2026-01-10T01:00")
    with pytest.raises(InvalidParameterError, match="week_days"):
        times.recurrence_spec("Week", 1, 0, week_days=["Caturday"], hours=[1])
