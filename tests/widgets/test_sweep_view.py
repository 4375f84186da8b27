"""``RunDetails`` of a real sweep: the trial table, parallel coordinates and best-so-far
curve follow the trials live, and the saved notebook keeps the final table."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import wait_until

from jupyter_mlws import ScriptRunConfig, Workspace
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.hyperdrive import (
    BanditPolicy,
    GridParameterSampling,
    HyperDriveConfig,
    PrimaryMetricGoal,
    SweepRun,
    choice,
)
from jupyter_mlws.widgets import RunDetails
from jupyter_mlws.widgets.html import STATUS_COLORS
from jupyter_mlws.widgets.sweep_view import SweepView

# every trial logs half its quality, then waits for the test's "go"; the good one then
# finishes, the bad one keeps logging until the policy cancels it
TRAIN = """
import argparse, time
from pathlib import Path
from jupyter_mlws import Run

p = argparse.ArgumentParser()
p.add_argument("--quality", type=float)
p.add_argument("--opt")
p.add_argument("--gate")
a = p.parse_args()
run = Run.get_context()
run.log("val_acc", a.quality / 2)
run.flush()
deadline = time.monotonic() + 120
while not (Path(a.gate) / "go").exists() and time.monotonic() < deadline:
    time.sleep(0.05)
for step in range(600 if a.quality < 0.5 else 5):
    run.log("val_acc", a.quality)
    run.flush()
    time.sleep(0.1)
"""

RUNNING = STATUS_COLORS[RunStatus.RUNNING]
COMPLETED = STATUS_COLORS[RunStatus.COMPLETED]
CANCELED = STATUS_COLORS[RunStatus.CANCELED]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")


def submit(ws: Workspace, tmp_path: Path, gate: Path) -> SweepRun:
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(textwrap.dedent(TRAIN))
    config = HyperDriveConfig(
        run_config=ScriptRunConfig(src, "train.py", arguments=["--gate", str(gate)]),
        hyperparameter_sampling=GridParameterSampling(
            {"--quality": choice(0.9, 0.3), "--opt": choice("adam")}
        ),
        primary_metric_name="val_acc",
        primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
        max_total_runs=2,
        max_concurrent_runs=2,
        policy=BanditPolicy(evaluation_interval=1, slack_factor=0.1, delay_evaluation=2),
    )
    sweep = ws.experiment("sweeps").submit(config)
    assert isinstance(sweep, SweepRun)
    return sweep


def by_quality(view: SweepView) -> dict[float, str]:
    """Each trial's status as the table shows it, by its quality."""
    return {r.hyperparameters["--quality"]: r.status.value for r in view.rows or []}


def test_a_live_sweep_shows_its_trials_metrics_and_the_policys_decisions(
    ws: Workspace, tmp_path: Path
) -> None:
    gate = tmp_path / "gate"
    gate.mkdir()
    sweep = submit(ws, tmp_path, gate)
    details = RunDetails(sweep, min_interval=0.05, max_interval=0.2)
    assert details.refresher is not None
    wait_until(lambda: details.built)
    view = details.kind_view
    assert isinstance(view, SweepView)
    assert details.tabs.get_title(0) == "Trials" and details.tabs.children[0] is view

    # both trials run and have logged their first value; they wait for "go"
    def first_values() -> bool:
        return view.parallel is not None and len(view.progress_data()["trial_y"]) == 2

    wait_until(lambda: first_values() and set(by_quality(view).values()) == {"Running"})
    wait_until(lambda: view._shown)  # the figures join the view one refresh after they are made
    progress = view.progress_data()
    assert sorted(progress["trial_y"]) == [0.15, 0.45]
    assert progress["colors"] == [RUNNING, RUNNING]
    assert progress["best_y"][-1] == 0.45
    dims = {d["label"]: d for d in view.parallel_data()}
    assert list(dims) == ["--quality", "--opt", "val_acc"]
    assert sorted(dims["--quality"]["values"]) == [0.3, 0.9]
    assert dims["--opt"]["ticktext"] == ["adam"] and dims["--opt"]["values"] == [0, 0]
    assert "Running" in view.table.value and "val_acc" in view.table.value

    (gate / "go").touch()
    wait_until(lambda: details.refresher is not None and not details.refresher.alive, 300)
    record = sweep.refresh()
    assert record.status is RunStatus.COMPLETED, record.error
    assert by_quality(view) == {0.9: "Completed", 0.3: "Canceled"}
    rows = {r.hyperparameters["--quality"]: r for r in view.rows or []}
    decision = rows[0.3].decision
    assert decision is not None and decision.startswith("canceled by BanditPolicy at step ")
    assert "canceled by BanditPolicy" in view.table.value  # the decision column

    progress = view.progress_data()
    colors = dict(zip(progress["trial_x"], progress["colors"], strict=True))
    assert colors == {rows[0.9].index: COMPLETED, rows[0.3].index: CANCELED}
    assert progress["best_y"][-1] == 0.9
    dims = {d["label"]: d for d in view.parallel_data()}
    metric_by_quality = dict(
        zip(dims["--quality"]["values"], dims["val_acc"]["values"], strict=True)
    )
    assert metric_by_quality == {0.9: 0.9, 0.3: 0.3}
    # a view drawn later (the output re-rendered) draws from the synced copy
    assert view.parallel is not None and view.parallel._widget_data == view.parallel._data
    assert view.progress is not None and view.progress._widget_data == view.progress._data

    view.sort_by("metric")  # best first
    assert [r.hyperparameters["--quality"] for r in view.shown_rows] == [0.9, 0.3]
    # a trial opens under the table, in the table's order
    assert [run_id for _, run_id in view.picker.options] == [r.run_id for r in view.shown_rows]
    best = view.shown_rows[0]
    view.picker.value = best.run_id
    view.open_button.click()
    [trial_details] = view.opened.children
    assert trial_details.run.id == best.run_id
    wait_until(lambda: trial_details.built)

    static = details.static_html()  # what a saved notebook keeps: the final table
    assert "mlws-trials" in static and "Canceled" in static and "Completed" in static
    assert "canceled by BanditPolicy" in static
    assert "best <b>0.9</b>" in static


def test_a_finished_sweep_is_drawn_at_once(ws: Workspace, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    gate.mkdir()
    (gate / "go").touch()
    sweep = submit(ws, tmp_path, gate)
    sweep.wait_for_completion(timeout=300, raise_on_error=False)
    details = RunDetails(sweep)
    assert details.refresher is None
    view = details.kind_view
    assert isinstance(view, SweepView) and view._shown  # no refresh will come to show it
    assert len(view.progress_data()["trial_x"]) == 2
    assert view.progress_data()["best_y"][-1] == 0.9
