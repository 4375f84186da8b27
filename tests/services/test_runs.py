"""The runs service: one meaning of a run reference, one liveness rule, metric views,
log following, cancel, re-run and download, on a real workspace."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import (
    InvalidParameterError,
    ResourceConflictError,
    ResourceNotFoundError,
)
from jupyter_mlws.services import runs
from jupyter_mlws.services.runs import RunQuery
from jupyter_mlws.tracking.liveness import this_host
from jupyter_mlws.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")


def test_a_reference_is_an_id_a_prefix_or_experiment_and_number(ws: Workspace) -> None:
    first = ws.experiment("exp").start_logging()
    second = ws.experiment("exp").start_logging()
    assert runs.resolve_run_id(ws, first.id) == first.id
    assert runs.resolve_run_id(ws, second.id[:8]) == second.id
    assert runs.resolve_run_id(ws, "exp:1") == first.id
    with pytest.raises(InvalidParameterError, match="too short"):
        runs.resolve_run_id(ws, first.id[:3])
    with pytest.raises(ResourceNotFoundError):
        runs.resolve_run_id(ws, "exp:9")
    with pytest.raises(ResourceNotFoundError):
        runs.get_record(ws, "0" * 32)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_run_whose_process_died_reads_failed_in_every_view(ws: Workspace) -> None:
    exp = ws.experiment("exp")
    record = ws.store.create_run(exp.id, kind="script", status=RunStatus.RUNNING)
    ws.store.set_run_fields(record.id, host=this_host(), pid=_dead_pid(), pid_started=1.0)
    listed = runs.list_runs(ws, RunQuery(experiment="exp")).runs
    assert [r.status for r in listed] == [RunStatus.FAILED]
    assert listed[0].error and listed[0].error["code"] == "lost"
    assert runs.get_details(ws, "exp:1").record.status is RunStatus.FAILED
    running = runs.list_runs(ws, RunQuery(statuses=["Running"])).runs
    assert running == []


def test_listing_filters_sorts_and_pages(ws: Workspace) -> None:
    for value in (0.3, 0.9, 0.5):
        with ws.experiment("exp").start_run() as run:
            run.log("acc", value)
    query = RunQuery(experiment="exp", sort="metric:acc", limit=2)
    page = runs.list_runs(ws, query)
    assert [r.metrics["acc"] for r in page.runs] == [0.9, 0.5] and page.next_page_token
    rest = runs.list_runs(
        ws, RunQuery(experiment="exp", sort="metric:acc", limit=2, page_token=page.next_page_token)
    )
    assert [r.metrics["acc"] for r in rest.runs] == [0.3] and rest.next_page_token is None
    with pytest.raises(ResourceNotFoundError):
        runs.list_runs(ws, RunQuery(experiment="nope"))


def test_metrics_full_history_or_the_downsampled_chart_view(ws: Workspace) -> None:
    run = ws.experiment("exp").start_logging()
    points = [("loss", float((i * 37) % 1000), i, 1_000 + i) for i in range(10_000)]
    ws.store.log_metrics(run.id, points)
    full = runs.metric_series(ws, run.id, "loss")
    chart = runs.metric_series(ws, run.id, "loss", max_points=100)
    assert len(full) == 10_000
    assert 2 <= len(chart) <= 100
    assert min(chart.values) == 0.0 and max(chart.values) == 999.0  # extremes survive
    assert [m.key for m in runs.latest_metrics(ws, "exp:1")] == ["loss"]


def test_logs_read_on_character_boundaries_and_follow_to_the_end(ws: Workspace) -> None:
    run = ws.experiment("exp").start_logging()
    text = "héllo wörld\n"
    data = text.encode()
    ws.store.append_log(run.id, "std_log.txt", 0, data[:2])  # splits the "é"
    ws.store.append_log(run.id, "std_log.txt", 2, data[2:])
    piece = runs.read_log(ws, run.id, "std_log.txt", 0, max_bytes=2)
    assert piece.text == "h" and piece.next_offset == 1
    rest = runs.read_log(ws, run.id, "std_log.txt", piece.next_offset)
    assert piece.text + rest.text == text
    assert "".join(runs.follow_log(ws, run.id, follow=False)) == text
    run.complete()
    assert "".join(runs.follow_log(ws, run.id, follow=True)) == text  # ends with the run
    assert runs.read_log(ws, run.id, "other.txt").text == ""
    with pytest.raises(InvalidParameterError):
        runs.read_log(ws, run.id, "std_log.txt", offset=-1)


def test_cancel_rerun_and_download(ws: Workspace, tmp_path: Path) -> None:
    run = ws.experiment("exp").start_logging()
    assert runs.cancel_run(ws, "exp:1").status is RunStatus.CANCELED
    assert runs.cancel_run(ws, "exp:1").status is RunStatus.CANCELED  # ended: left as is
    with pytest.raises(ResourceConflictError, match="only submitted runs"):
        runs.rerun(ws, run.id)
    with pytest.raises(InvalidParameterError, match="no snapshot"):
        runs.download(ws, run.id, "snapshot", tmp_path / "dl")
    ws.store.append_log(run.id, "std_log.txt", 0, b"hi\n")
    written = runs.download(ws, run.id, "logs", tmp_path / "dl")
    assert [p.read_text() for p in written] == ["hi\n"]
