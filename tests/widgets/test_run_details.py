"""``RunDetails`` against a real workspace: what a user sees in each part."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from jupyter_mlws import Workspace
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.widgets import RunDetails


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")


def test_finished_run_shows_everything_and_does_not_poll(ws: Workspace, tmp_path: Path) -> None:
    exp = ws.experiment("train")
    with exp.start_run("best", params={"lr": 0.1}, tags={"team": "a"}) as run:
        for step in range(3000):
            run.log("loss", 1 / (step + 1))
        run.log("acc", 0.9)
        run.add_properties({"owner": "ana"})
        (tmp_path / "model.txt").write_text("weights")
        run.upload_file("outputs/model.txt", tmp_path / "model.txt")
        child = run.child_run("fold-1")
        child.log("acc", 0.8)
        child.complete()
    details = RunDetails(run, live=True)
    assert details.refresher is None  # terminal: nothing to refresh
    assert "Completed" in details.header.value and "train:1" in details.header.value
    assert sorted(details.charts.figures) == ["acc", "loss"]
    steps, values = details.charts.points("loss")
    assert 2 <= len(steps) <= 1000 and steps[0] == 0 and steps[-1] == 2999
    assert max(values) == 1.0  # the min/max-preserving thinning keeps the extremes
    for text in ("lr", "0.1", "team", "owner", "ana"):
        assert text in details.details.value
    assert details.outputs.names == ["outputs/model.txt"]
    assert details.children_table.child_ids == [child.id]
    opened = details.children_table.open_child(child)
    assert "fold-1" in opened.header.value
    assert details.error.value == ""


def test_failed_run_shows_error_and_traceback(ws: Workspace) -> None:
    with pytest.raises(RuntimeError), ws.experiment("e").start_run() as run:
        print("ignored")
        raise RuntimeError("diverged at step 7")
    details = RunDetails(run)
    assert "Failed" in details.header.value
    assert "RuntimeError: diverged at step 7" in details.error.value
    assert "Traceback (most recent call last)" in details.error.value


def test_live_run_updates_from_the_background_and_stops_when_done(ws: Workspace) -> None:
    run = ws.experiment("live").start_logging()
    details = RunDetails(run, min_interval=0.01, max_interval=0.05)
    assert details.refresher is not None and details.refresher.alive
    assert "live:1" in details.header.value  # the header at once, the rest in the background
    _wait(lambda: details.built)
    assert details.charts.figures == {}
    for step in range(50):
        run.log("loss", float(step))
    run.workspace.store.append_log(run.id, "std_log.txt", 0, b"epoch 1 done\n")
    run.flush()
    _wait(lambda: "loss" in details.charts.figures and "epoch 1" in details.logs.text)
    run.complete()
    details.refresher.join(timeout=30)
    assert not details.refresher.alive
    assert "Completed" in details.header.value
    assert details.charts.points("loss")[1][-1] == 49.0


def test_log_picker_switches_files(ws: Workspace) -> None:
    run = ws.experiment("logs").start_logging()
    store = run.workspace.store
    store.append_log(run.id, "std_log.txt", 0, b"main log\n")
    store.append_log(run.id, "worker_0.txt", 0, b"worker log\n")
    run.complete()
    details = RunDetails(run)
    assert details.logs.picker.options == ("std_log.txt", "worker_0.txt")
    assert "main log" in details.logs.view.value
    assert details.logs.picker is not None
    details.logs.picker.value = "worker_0.txt"
    assert "worker log" in details.logs.view.value and "main log" not in details.logs.view.value


def test_download_an_output(ws: Workspace, tmp_path: Path) -> None:
    run = ws.experiment("out").start_logging()
    (tmp_path / "f.csv").write_text("a,b\n")
    run.upload_file("outputs/f.csv", tmp_path / "f.csv")
    run.complete()
    details = RunDetails(run)
    assert details.outputs.picker is not None
    details.outputs.picker.value = "outputs/f.csv"
    details.outputs._download()
    saved = Path(os.getcwd()) / "mlws-outputs" / "out-1" / "outputs" / "f.csv"
    assert saved.read_text() == "a,b\n"
    assert details.outputs.link is not None
    assert "mlws-outputs/out-1/outputs/f.csv" in details.outputs.link.value


def test_unknown_or_deleted_run_is_a_message(ws: Workspace) -> None:
    details = RunDetails("0123456789abcdef", ws)
    assert "cannot show this run" in details.header.value
    assert "does not exist" in details.header.value
    assert details.refresher is None
    record = ws.store.create_run(ws.experiment("gone").id, kind="script", status=RunStatus.QUEUED)
    live = RunDetails(record.id, ws, min_interval=0.01, max_interval=0.05)
    with ws.store.write() as conn:  # the run is deleted behind the widget's back
        from jupyter_mlws.store import schema

        conn.execute(schema.runs.delete().where(schema.runs.c.id == record.id))
    assert live.refresher is not None
    live.refresher.join(timeout=30)
    assert "does not exist" in live.header.value


def _wait(condition: object, attempts: int = 600) -> None:
    import time

    for _ in range(attempts):
        if callable(condition) and condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met")


def test_header_reads_naturally_and_internal_tags_are_not_the_users(ws: Workspace) -> None:
    with ws.experiment("e").start_run(tags={"team": "a", "mlws.source": "cell"}) as run:
        run.log("acc", 0.5)
    details = RunDetails(run)
    assert " on interactive" not in details.header.value
    assert "tracked where it runs" in details.header.value
    assert "team" in details.details.value and "mlws.source" not in details.details.value
    static = details.static_html()
    assert "tag team" in static and "mlws.source" not in static


def test_charts_share_a_grid_and_offer_step_relative_and_wall_time(ws: Workspace) -> None:
    with ws.experiment("axes").start_run() as run:
        for step in range(5):
            run.log("loss", 1.0 / (step + 1), step=step)
            run.log("acc", step / 10, step=step)
    details = RunDetails(run)
    charts = details.charts
    assert list(charts.grid.children) == [charts.figures["acc"], charts.figures["loss"]]
    assert "repeat(auto-fill" in charts.grid.layout.grid_template_columns
    assert charts.axis_picker is not None and charts.points("loss")[0] == [0, 1, 2, 3, 4]
    charts.axis_picker.value = "relative"  # what clicking "relative time (s)" does
    seconds = charts.points("loss")[0]
    assert seconds[0] >= 0 and seconds == sorted(seconds) and all(s < 60 for s in seconds)
    assert charts.figures["loss"].layout.xaxis.title.text == "relative time (s)"
    charts.set_axis("wall")
    first = datetime.fromisoformat(str(charts.points("loss")[0][0])).replace(tzinfo=timezone.utc)
    assert abs(first.timestamp() * 1000 - run.record.created_ms) < 60_000  # the clock, UTC
    assert charts.figures["loss"].layout.xaxis.type == "date"
    with pytest.raises(ValueError, match="x axis must be one of"):
        charts.set_axis("epoch")


def test_system_metrics_stay_out_of_the_summary_and_the_live_charts(ws: Workspace) -> None:
    cpu, rss = "system/cpu_utilization_percentage", "system/process_memory_rss_megabytes"
    with ws.experiment("sys").start_run() as run:
        for step in range(3):  # what the runner's sampler writes, next to the user's loss
            run.log("loss", 1.0 / (step + 1), step=step)
            run.log(cpu, 50.0 + step, step=step)
            run.log(rss, 100.0 * (step + 1), step=step)
    assert set(run.record.metrics) == {"loss"}  # tables, compare and sorting: the user's
    assert set(run.get_metrics()) == {"loss"}  # v1 code expects what it logged
    assert set(run.get_metrics(system=True)) == {"loss", cpu, rss}
    assert run.get_metrics(cpu) == {cpu: [50.0, 51.0, 52.0]}

    details = RunDetails(run)
    assert sorted(details.charts.figures) == ["loss"]  # the peaks instead of ten charts
    shown = details.details.value
    assert "peak memory" in shown and "300 MB" in shown and "peak CPU" in shown
    static = details.static_html()
    assert static.count("class='mlws-static-chart'") == 1
    assert "peak memory" in static and "300 MB" in static
