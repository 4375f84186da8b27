"""``%%run --sweep``: a cell's -p ranges swept, each trial a run of the cell."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from jupyter_mlws import Workspace
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.hyperdrive import SweepRun

from .kernel_outputs import error, stdout

LOAD = "%load_ext jupyter_mlws"


def cell(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def test_a_cell_swept_over_its_ranges(execute: Any, ws: Workspace) -> None:
    nb = execute(
        [
            LOAD,
            "%%run --sweep -p lr=uniform(0,1) -p bs=choice(16,32) -p scale=2 --metric val_acc "
            "--max-runs 3 --concurrent 2 -e cellsweep --no-widget\n"
            + cell(
                """
                from jupyter_mlws import Run
                run = Run.get_context()
                for step in range(1, 3):
                    run.log("val_acc", scale * (1 - lr) * step - bs / 1000)
                """
            ),
            "_mlws_run.wait_for_completion(timeout=240, raise_on_error=False); print(_mlws_run.id)",
        ],
        timeout=300,
    )
    assert error(nb.cells[1]) is None and error(nb.cells[2]) is None, nb.cells[1].outputs
    sweep = SweepRun(ws, stdout(nb.cells[2]).split()[-1])
    assert sweep.refresh().status is RunStatus.COMPLETED, sweep.record.error
    trials = sweep.trial_records()
    assert len(trials) == 3 and all(t.status is RunStatus.COMPLETED for t in trials)
    for trial in trials:
        values = json.loads(trial.properties["mlws.sweep.hyperparameters"])
        assert set(values) == {"lr", "bs"} and trial.params["scale"] == "2"
        metric = sweep.workspace.store.metric_history(trial.id, "val_acc").values.tolist()
        assert metric[-1] == 2 * (1 - values["lr"]) * 2 - values["bs"] / 1000


def test_bad_sweep_lines_are_one_line_errors(execute: Any, ws: Workspace) -> None:
    nb = execute(
        [
            LOAD,
            "%%run --sweep -p lr=nosuch(1) --metric m\nprint(1)",
            "%%run --metric m -p lr=uniform(0,1)\nprint(1)",
            "%%run --sweep -p lr=0.1 --metric m\nprint(1)",
            "%%run --sweep -p lr=uniform(0,1)\nprint(1)",
        ]
    )
    messages = ["\n".join(error(c).traceback) for c in nb.cells[1:]]  # usage, then the line
    assert "unknown parameter expression 'nosuch'" in messages[0]
    assert "--metric need --sweep" in messages[1]
    assert "at least one -p NAME=EXPR" in messages[2]
    assert "--sweep needs --metric" in messages[3]
    assert "Traceback" not in "".join(messages)
    assert ws.store.list_runs()[0] == []
