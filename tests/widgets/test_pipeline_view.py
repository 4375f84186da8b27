"""``RunDetails`` of a real two-step pipeline: the DAG's nodes follow the steps' statuses
live, a reused step is marked and says why on hover, and a step opens its run."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import wait_until
from pipeline_helpers import TRAIN, write

from jupyter_mlws import Workspace
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.pipeline import Pipeline, PipelineData, PipelineParameter, PythonScriptStep
from jupyter_mlws.widgets import RunDetails
from jupyter_mlws.widgets.html import STATUS_COLORS
from jupyter_mlws.widgets.pipeline_view import RAN_SYMBOL, REUSED_SYMBOL, PipelineView

# the first step waits for the test's "go" file before it writes its output
PREP = """
import os, sys, time
gate = sys.argv[sys.argv.index("--gate") + 1]
deadline = time.monotonic() + 120
while not os.path.exists(os.path.join(gate, "go")) and time.monotonic() < deadline:
    time.sleep(0.05)
out = sys.argv[sys.argv.index("--out") + 1]
with open(os.path.join(out, "data.txt"), "w") as f:
    f.write("rows x")
"""

GRAY = STATUS_COLORS[RunStatus.NOT_STARTED]
BLUE = STATUS_COLORS[RunStatus.RUNNING]
GREEN = STATUS_COLORS[RunStatus.COMPLETED]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")


def two_steps(ws: Workspace, src: Path, gate: Path) -> Pipeline:
    prepared = PipelineData("prepared")
    lr = PipelineParameter("lr", default_value=0.1)
    prep = PythonScriptStep(
        "prep.py",
        name="prepare",
        source_directory=src,
        outputs=[prepared],
        arguments=["--out", prepared, "--gate", str(gate)],
    )
    train = PythonScriptStep(
        "train.py",
        name="train",
        source_directory=src,
        inputs=[prepared],
        arguments=["--in", prepared, "--lr", lr],
    )
    return Pipeline(ws, steps=[prep, train])


def test_the_dag_follows_the_steps_and_explains_reuse(ws: Workspace, tmp_path: Path) -> None:
    src, gate = tmp_path / "src", tmp_path / "gate"
    write(src, "prep.py", PREP)
    write(src, "train.py", TRAIN)
    gate.mkdir()
    exp = ws.experiment("pipes")
    first = exp.submit(two_steps(ws, src, gate))
    details = RunDetails(first, min_interval=0.05, max_interval=0.2)
    wait_until(lambda: details.built)
    view = details.kind_view
    assert isinstance(view, PipelineView)
    assert details.tabs.get_title(0) == "Steps"

    # prepare runs (waiting for "go"); train waits for its input
    def prepare_running() -> bool:
        return view.dag is not None and "<br>Running<br>" in view.node_data()["hover"][0]

    wait_until(prepare_running, 120)
    wait_until(lambda: view._shown)
    nodes = view.node_data()
    assert nodes["name"] == ["prepare", "train"]
    assert nodes["symbol"] == [RAN_SYMBOL, RAN_SYMBOL]
    assert nodes["color"] == [BLUE, GRAY]
    assert "Running" in nodes["hover"][0] and "ran, because no earlier run" in nodes["hover"][0]
    assert "NotStarted" in nodes["hover"][1]
    edges = view.dag._data[0] if view.dag is not None else {}
    assert [x for x in edges["x"] if x is not None] == [0.0, 1.0]  # prepare → train

    (gate / "go").touch()
    wait_until(lambda: details.refresher is not None and not details.refresher.alive, 300)
    assert first.refresh().status is RunStatus.COMPLETED, first.refresh().error
    assert view.node_data()["color"] == [GREEN, GREEN]
    assert view.dag is not None and view.dag._widget_data == view.dag._data
    opened = view.open_step("train")  # clicking a node or picking a step opens its run
    assert opened is not None and "Completed" in opened.header.value
    assert opened.run is not None and opened.run.id == first.find_step_run("train").id

    # the same pipeline with another lr: prepare is reused, train ran and says why
    second = exp.submit(two_steps(ws, src, gate), pipeline_parameters={"lr": 0.05})
    second.wait_for_completion(timeout=300)
    finished = RunDetails(second)
    assert finished.refresher is None
    view = finished.kind_view
    assert isinstance(view, PipelineView) and view._shown
    nodes = view.node_data()
    prep_id = first.find_step_run("prepare").id
    assert nodes["symbol"] == [REUSED_SYMBOL, RAN_SYMBOL]
    assert nodes["text"][0].startswith("prepare ") and "♻" in nodes["text"][0]
    assert f"reused (from run {prep_id})" in nodes["hover"][0]
    assert "parameter lr 0.1 → 0.05" in nodes["hover"][1]
    assert nodes["color"] == [GREEN, GREEN]
    reused = view.open_step("prepare")  # a reused step opens the run whose outputs it took
    assert reused is not None and reused.run is not None and reused.run.id == prep_id

    static = finished.static_html()  # the saved notebook: the DAG image and the step table
    assert "mlws-steps" in static and "alt='pipeline steps'" in static
    assert "♻ reused" in static and "parameter lr 0.1 → 0.05" in static
