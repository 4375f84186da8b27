"""The step of a point logged without ``step=``: one run-wide "row" rule (README)."""

from pathlib import Path

import pytest

from jupyter_mlws import Run, Workspace
from jupyter_mlws.exceptions import InvalidParameterError


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")


def steps(run: Run, name: str) -> list[int]:
    return list(run.get_metric_history(name)["steps"])


def test_a_metric_logged_every_tenth_iteration_lands_on_those_iterations(ws: Workspace) -> None:
    run = ws.experiment("rate").start_logging("r")
    for i in range(200):
        run.log("loss", 1.0 / (i + 1))
        if i % 10 == 0:
            run.log("accuracy", i / 200)
    run.complete()
    assert steps(run, "loss") == list(range(200))
    assert steps(run, "accuracy") == list(range(0, 200, 10))


def test_explicit_steps_move_the_current_step_and_default_ones_follow(ws: Workspace) -> None:
    run = ws.experiment("mix").start_logging("r")
    run.log("a", 1.0, step=5)  # current step 0 -> 5
    run.log("b", 1.0)  # b has nothing at 5: at 5
    run.log("a", 2.0)  # a has a point at 5: the current step advances to 6
    run.log("c", 1.0, step=2)  # an earlier explicit step is kept; current stays 6
    run.log("c", 2.0)
    run.log_list("d", [1, 2, 3])  # steps 0, 1, 2 (explicit): current stays 6
    run.log("b", 3)  # an int goes the slow path: the same rule
    run.complete()
    assert steps(run, "a") == [5, 6]
    assert steps(run, "b") == [5, 6]
    assert steps(run, "c") == [2, 6]
    assert steps(run, "d") == [0, 1, 2]


def test_metrics_logged_together_share_one_step(ws: Workspace) -> None:
    run = ws.experiment("together").start_logging("r")
    run.log("loss", 0.5)  # loss at 0
    run.log_metrics({"accuracy": 0.1, "loss": 0.4})  # loss has 0: both at 1
    run.log_metrics({"accuracy": 0.2, "loss": 0.3, "note": "text is not a series"})
    run.log_metrics({"accuracy": 0.3, "loss": 0.2}, step=10)
    run.log_metrics({"accuracy": 0.4, "loss": 0.1})
    run.complete()
    assert steps(run, "loss") == [0, 1, 2, 10, 11]
    assert steps(run, "accuracy") == [1, 2, 10, 11]


def test_log_metrics_with_a_bad_value_logs_nothing_and_takes_no_step(ws: Workspace) -> None:
    run = ws.experiment("bad").start_logging("r")
    run.log("loss", 0.5)
    with pytest.raises(InvalidParameterError, match="'accuracy' must be a number"):
        run.log_metrics({"loss": 0.4, "accuracy": object()})
    run.log_metrics({"loss": 0.3, "accuracy": 0.9})
    run.complete()
    assert steps(run, "loss") == [0, 1]
    assert steps(run, "accuracy") == [1]


def test_a_resumed_run_continues_from_its_stored_steps(ws: Workspace) -> None:
    run = ws.experiment("resume").start_logging("r")
    for i in range(5):
        run.log("loss", float(i))
    run.log("accuracy", 0.5)  # at 4, beside the last loss
    run.complete()  # the writer forgets the run: the next log reads the store
    again = Run.get(ws, run.id)
    again.log("accuracy", 0.6)  # current step 4 (stored); accuracy has 4: at 5
    again.log("loss", 5.0)  # loss has nothing at 5: at 5
    again.log("grad", 1.0)  # a new metric joins the current row
    again.flush()
    assert steps(again, "loss") == [0, 1, 2, 3, 4, 5]
    assert steps(again, "accuracy") == [4, 5]
    assert steps(again, "grad") == [5]


def test_the_azureml_v1_run_shares_the_run_wide_step(ws: Workspace) -> None:
    from jupyter_mlws.azureml.core.run import Run as V1Run

    native = ws.experiment("v1").start_logging("r")
    v1 = V1Run._wrap(native)  # another Run object of the same run (its own series cache)
    native.log("loss", 1.0, step=3)
    v1.log("accuracy", 0.5)  # the run's current step is 3
    v1.log("loss", 0.9)
    v1.log_metrics({"accuracy": 0.6, "loss": 0.8})
    native.complete()
    assert steps(native, "loss") == [3, 4, 5]
    assert steps(native, "accuracy") == [3, 5]
