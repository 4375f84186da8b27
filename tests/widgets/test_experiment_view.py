"""``ExperimentView`` and ``RunTable``: sorting, selecting, overlays, params vs metric."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlws import Workspace
from jupyter_mlws.widgets import ExperimentView, RunTable


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = Workspace.init(tmp_path / "proj")
    exp = ws.experiment("sweep")
    for lr, opt in ((0.1, "adam"), (0.01, "sgd"), (0.5, "adam")):
        with exp.start_run(params={"lr": lr, "opt": opt}) as run:
            for step in range(20):
                run.log("loss", lr * (20 - step))
            run.log("acc", 1 - lr)
    return ws


def test_table_sorts_by_any_column(ws: Workspace) -> None:
    view = ExperimentView("sweep", ws)
    table = view.table
    assert [r.number for r in table.ordered()] == [3, 2, 1]  # newest first
    table.sort_by("param:lr")
    assert [r.record.params["lr"] for r in table.ordered()] == ["0.01", "0.1", "0.5"]
    table.sort_by("param:lr")  # clicking again reverses
    assert [r.record.params["lr"] for r in table.ordered()] == ["0.5", "0.1", "0.01"]
    table.sort_by("metric:acc", descending=True)
    assert [r.record.metrics["acc"] for r in table.ordered()] == [0.99, 0.9, 0.5]
    header = [c.description for c in table.grid.children[1 : 1 + len(table.columns)]]
    assert "acc ▼" in header and "lr" in header and "status" in header


def test_selected_runs_overlay_their_curves(ws: Workspace) -> None:
    view = ExperimentView("sweep", ws)
    view.metric.value = "loss"
    # it starts with the newest runs overlaid, not an empty plot
    assert sorted(t.name.split()[0] for t in view.overlay.data) == ["sweep:1", "sweep:2", "sweep:3"]
    assert view.overlay.layout.title.text == "loss of selected runs"
    first, _, third = sorted(view.runs, key=lambda r: r.number)
    view.select([first, third])
    traces = {t.name.split()[0]: t for t in view.overlay.data}
    assert sorted(traces) == ["sweep:1", "sweep:3"]
    assert list(traces["sweep:1"].y)[:2] == [2.0, pytest.approx(1.9)]
    view.table._toggle(first.id, False)  # what unticking the row's checkbox does
    assert [t.name.split()[0] for t in view.overlay.data] == ["sweep:3"]


def test_parallel_coordinates_of_params_against_the_metric(ws: Workspace) -> None:
    view = ExperimentView("sweep", ws)
    view.metric.value = "acc"
    (parcoords,) = view.parallel.data
    labels = [d.label for d in parcoords.dimensions]
    assert labels == ["lr", "opt", "acc"]
    lr, opt, acc = parcoords.dimensions
    assert sorted(lr.values) == [0.01, 0.1, 0.5]  # numbers stay numbers
    assert list(opt.ticktext) == ["adam", "sgd"]  # text becomes categories
    assert sorted(acc.values) == [0.5, 0.9, 0.99]


def test_refresh_picks_up_new_runs_and_keeps_the_selection(ws: Workspace) -> None:
    view = ExperimentView("sweep", ws)
    view.select([view.runs[0]])
    with ws.experiment("sweep").start_run(params={"lr": 0.3, "opt": "sgd"}) as run:
        run.log("acc", 0.7)
    view.refresh()
    assert len(view.runs) == 4 and "4 runs" in view.header.value
    assert len(view.table.selected) == 1


def test_unknown_experiment_is_a_message(ws: Workspace) -> None:
    view = ExperimentView("no-such-experiment", ws)
    assert "cannot show this experiment" in view.header.value
    assert ws.store.find_experiment("no-such-experiment") is None  # not created by looking


def test_run_list_table_opens_a_run(ws: Workspace) -> None:
    runs = ws.experiment("sweep").get_runs()
    table = RunTable(runs, selectable=False)
    details = table.open_run(runs[-1])
    assert "sweep:1" in details.header.value
    assert table.opened.children == (details,)
