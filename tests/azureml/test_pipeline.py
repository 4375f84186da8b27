"""v1 pipeline code on the native pipelines: ``azureml.pipeline.core``/``.steps`` as v1
wrote them, run by real controller jobs and step runs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

PREP = """\
import argparse, os
parser = argparse.ArgumentParser()
parser.add_argument("--out")
parser.add_argument("--rows")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "data.txt"), "w") as f:
    f.write("rows " + args.rows)
"""

TRAIN = """\
import argparse, os
from azureml.core import Run
parser = argparse.ArgumentParser()
parser.add_argument("--in", dest="data")
parser.add_argument("--lr", type=float)
args = parser.parse_args()
text = open(os.path.join(args.data, "data.txt")).read()
print("train read", text, "lr", args.lr)
Run.get_context().log("lr", args.lr)
"""


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "prep.py").write_text(PREP)
    (folder / "train.py").write_text(TRAIN)
    return folder


def two_steps(ws: object, src: Path) -> object:
    from azureml.pipeline.core import Pipeline, PipelineData, PipelineParameter
    from azureml.pipeline.steps import PythonScriptStep

    prepared = PipelineData("prepared", datastore=None, is_directory=True)
    lr = PipelineParameter(name="lr", default_value=0.1)
    PythonScriptStep(  # found through the data train reads
        "prep.py",
        name="prepare",
        arguments=["--out", prepared, "--rows", "x"],
        compute_target="local",
        outputs=[prepared],
        source_directory=str(src),
    )
    train = PythonScriptStep(
        script_name="train.py",
        arguments=["--in", prepared, "--lr", lr],
        inputs=[prepared],
        source_directory=str(src),
    )
    # v1's resolve_closure: the last step brings in the step whose data it reads
    return Pipeline(workspace=ws, steps=[train], description="two steps")


def test_a_v1_pipeline_runs_reuses_and_publishes(v1: object, src: Path, tmp_path: Path) -> None:
    from azureml.core import Experiment, Run, Workspace
    from azureml.pipeline.core import PipelineEndpoint, PipelineRun, PublishedPipeline

    ws = Workspace.from_config()
    pipeline = two_steps(ws, src)
    assert pipeline.validate() == []  # type: ignore[attr-defined]
    exp = Experiment(ws, "v1-pipes")

    first = exp.submit(pipeline, tags={"by": "v1"})
    assert isinstance(first, PipelineRun) and isinstance(first, Run)
    out = io.StringIO()
    first.wait_for_completion(show_output=True, out=out)  # type: ignore[call-arg]
    assert first.get_status() == "Completed"
    assert first.get_tags()["by"] == "v1"
    steps = list(first.get_steps())
    assert [s.name for s in steps] == ["prepare", "train_py"]
    assert all(isinstance(s, Run) and s.get_status() == "Completed" for s in steps)
    [train] = first.find_step_run("train.py")  # v1's default name, the script's
    assert "train read rows x lr 0.1" in train.get_job_log()
    assert train.get_metrics()["lr"] == 0.1
    assert [c.name for c in first.get_children()] == ["prepare", "train_py"]
    [prep] = first.find_step_run("prepare")
    folder = prep.get_output_data("prepared").download(tmp_path / "dl")
    assert (Path(folder) / "data.txt").read_text() == "rows x"

    second = exp.submit(pipeline, pipeline_parameters={"lr": 0.5})
    second.wait_for_completion(show_output=False)
    [prep2] = second.find_step_run("prepare")
    assert prep2.reused and prep2.id == prep.id
    assert "lr 0.5" in second.find_step_run("train.py")[0].get_job_log()

    published = pipeline.publish(name="v1-pub", description="published", version="1.0")  # type: ignore[attr-defined]
    assert isinstance(published, PublishedPipeline)
    assert PublishedPipeline.get(ws, id=published.id).name == "v1-pub"
    assert published.id in {p.id for p in PublishedPipeline.list(ws)}
    third = published.submit(ws, "v1-pub-runs", pipeline_parameters={"lr": 0.5})
    assert isinstance(third, PipelineRun)
    third.wait_for_completion(show_output=False)
    assert third.get_status() == "Completed"

    endpoint = PipelineEndpoint.publish(ws, "v1-ep", "endpoint", published)
    assert endpoint.endpoint.endswith("/pipeline-endpoints/v1-ep/runs")
    assert published.endpoint == endpoint.endpoint
    again = pipeline.publish(name="v1-pub", description="second")  # type: ignore[attr-defined]
    endpoint.add_default(again)
    found = PipelineEndpoint.get(ws, name="v1-ep")
    assert found.get_default_version() == "1"  # v1 numbers versions from "0"
    assert [v.pipeline.id for v in found.list_versions()] == [published.id, again.id]
    found.set_default_version("0")
    assert found.get_pipeline().id == published.id
    run = found.submit("v1-ep-runs", pipeline_parameters={"lr": 0.1})
    assert isinstance(run, PipelineRun)
    run.wait_for_completion(show_output=False)
    assert {s.get_status() for s in run.get_steps()} == {"Completed"}
    by_exp = exp.submit(found, tags={"via": "endpoint"}, pipeline_version="1")
    assert isinstance(by_exp, PipelineRun) and by_exp.get_tags()["via"] == "endpoint"
    by_exp.wait_for_completion(show_output=False)


def test_a_v1_schedule_fires_the_published_pipeline(v1: object, src: Path) -> None:
    import time

    from azureml.core import Workspace
    from azureml.exceptions import NotAvailableError
    from azureml.pipeline.core import Schedule, ScheduleRecurrence

    from jupyter_mlws.pipeline.scheduler import Scheduler

    ws = Workspace.from_config()
    published = two_steps(ws, src).publish(name="v1-sched", description="nightly")  # type: ignore[attr-defined]
    recurrence = ScheduleRecurrence(frequency="Hour", interval=1)
    schedule = Schedule.create(  # v1's positional order
        ws, "hourly", published.id, "v1-scheduled", recurrence, "every hour", {"lr": 0.3}
    )
    assert schedule.status == "Active" and schedule.pipeline_id == published.id
    assert [s.name for s in Schedule.list(ws)] == ["hourly"]
    an_hour_later = time.time() + 3601
    [fired] = Scheduler(ws, clock=lambda: an_hour_later).tick()
    assert fired.error is None
    run = Schedule.get(ws, "hourly").get_last_pipeline_run()
    assert run is not None
    run.wait_for_completion(show_output=False)
    assert "lr 0.3" in run.find_step_run("train_py")[0].get_job_log()
    schedule.disable()
    assert Schedule.get(ws, "hourly").status == "Disabled"
    with pytest.raises(NotAvailableError, match="data_path_parameter_name"):
        Schedule.create(
            ws, "x", published.id, "e", recurrence, data_path_parameter_name="input_path"
        )


def test_v1_time_zones_and_the_v1_module_paths(v1: object) -> None:
    from datetime import datetime, timezone

    from azureml.pipeline.core import Pipeline, PipelineRun, TimeZone
    from azureml.pipeline.core.graph import PipelineParameter
    from azureml.pipeline.core.run import PipelineRun as RunFromRunModule
    from azureml.pipeline.core.schedule import ScheduleRecurrence
    from azureml.pipeline.core.schedule import TimeZone as ZoneFromScheduleModule

    from jupyter_mlws.exceptions import InvalidParameterError
    from jupyter_mlws.pipeline import PipelineParameter as NativeParameter
    from jupyter_mlws.pipeline import recurrence as times

    assert ZoneFromScheduleModule is TimeZone and RunFromRunModule is PipelineRun
    assert PipelineParameter is NativeParameter and Pipeline.__module__.startswith("jupyter_mlws")
    assert TimeZone.PacificStandardTime.value == "Pacific Standard Time"
    assert TimeZone.UTC11.value == "UTC-11" and TimeZone.ESouthAmericaStandardTime
    assert TimeZone.MidAtlanticStandardTime.value == "Mid-Atlantic Standard Time"

    def ms(text: str) -> int:
        return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp() * 1000)

    # v1: a naive start time is a wall-clock time in the recurrence's zone
    daily = ScheduleRecurrence(
        frequency="Day",
        interval=1,
        start_time=datetime(2026, 7, 1, 6, 30),
        time_zone=TimeZone.PacificStandardTime,
    )
    kind, spec = daily.spec(0)
    assert spec["start_ms"] == ms("2026-07-01T13:30")  # PDT is UTC-7
    assert times.next_due(kind, spec, ms("2026-12-02T00:00")) == ms("2026-12-02T14:30")  # PST
    at = ScheduleRecurrence(
        frequency="Day", interval=1, time_of_day="02:15", time_zone=TimeZone.UTC
    )
    kind, spec = at.spec(0)
    assert spec["cron"] == "15 2 * * *"
    with pytest.raises(InvalidParameterError, match="time_of_day"):
        ScheduleRecurrence(frequency="Day", interval=1, time_of_day="25:00").validate()


def test_v1_step_order_and_bad_input(v1: object, src: Path) -> None:
    from azureml.core import Experiment, Workspace
    from azureml.exceptions import NotAvailableError
    from azureml.pipeline.core import Pipeline, StepSequence
    from azureml.pipeline.steps import PythonScriptStep

    from jupyter_mlws.exceptions import InvalidParameterError

    ws = Workspace.from_config()
    (src / "hello.py").write_text("print('hello')\n")
    first = PythonScriptStep("hello.py", name="first", source_directory=str(src))
    second = PythonScriptStep("hello.py", name="second", source_directory=str(src))
    second.run_after(first)
    pipeline = Pipeline(ws, [second])  # the closure brings in "first"
    assert [s.name for s in pipeline.steps] == ["second", "first"]
    run = Experiment(ws, "v1-order").submit(pipeline)
    run.wait_for_completion(show_output=False)
    assert [s.name for s in run.get_steps()] == ["first", "second"]
    sequence = StepSequence(
        steps=[PythonScriptStep("hello.py", name=n, source_directory=str(src)) for n in "abc"]
    )
    assert Pipeline(ws, sequence).validate() == []

    with pytest.raises(InvalidParameterError, match="'nope'"):
        Experiment(ws, "v1-bad").submit(pipeline, pipeline_parameters={"nope": 1})
    missing = PythonScriptStep("missing.py", source_directory=str(src))
    with pytest.raises(InvalidParameterError, match=r"missing\.py"):
        Pipeline(ws, [missing]).validate()
    with pytest.raises(NotAvailableError, match="params"):
        PythonScriptStep("hello.py", source_directory=str(src), params={"a": 1})
    with pytest.raises(NotAvailableError, match="continue_on_step_failure"):
        Experiment(ws, "v1-bad").submit(pipeline, continue_on_step_failure=True)
