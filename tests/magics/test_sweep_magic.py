"""``%mlws sweep …``: the CLI's sweep words in a notebook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jupyter_mlws import Workspace

from .kernel_outputs import error, stdout

LOAD = "%load_ext jupyter_mlws"

TRAIN = """\
import argparse
from jupyter_mlws import Run
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float)
a = p.parse_args()
run = Run.get_context()
for step in range(1, 3):
    run.log("val_acc", (1 - a.lr) * step)
"""


def test_sweep_submit_and_show_through_the_magic(
    execute: Any, project: Path, ws: Workspace
) -> None:
    (project / "train.py").write_text(TRAIN)
    nb = execute(
        [
            LOAD,
            "%mlws --json sweep submit -p 'lr=uniform(0,1)' -m val_acc --max-runs 2 "
            "--concurrent 2 -e nb --wait train.py",
            "%mlws sweep show nb:1",
            "%mlws sweep submit -p 'lr=uniform(1,0)' -m val_acc train.py",
        ],
        timeout=300,
    )
    view = json.loads(stdout(nb.cells[1]))
    assert view["run"]["status"] == "Completed" and len(view["trials"]) == 2
    shown = nb.cells[2].outputs[-1]["data"]["text/html"]  # the trial table
    assert "<table" in shown and "lr=" in shown
    bad = error(nb.cells[3])
    assert (
        bad is not None and len(bad.traceback) == 1 and "low must be below high" in bad.traceback[0]
    )
