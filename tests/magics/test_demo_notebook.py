"""The notebook part of ``mlws demo``: executed for real, its runs in the workspace."""

from __future__ import annotations

import io

import nbformat

from jupyter_mlws import Workspace
from jupyter_mlws.cli.context import CliContext
from jupyter_mlws.cli.demo_notebook import EXPERIMENT, demo_notebook
from jupyter_mlws.cli.output import Output

from .kernel_outputs import WIDGET_MIME


def test_demo_notebook_runs_the_magics_and_saves_the_executed_notebook() -> None:
    ws = Workspace.current()
    text = io.StringIO()
    summary = demo_notebook(CliContext(output=Output(text)), ws)
    runs = {r["name"]: r for r in summary["runs"]}
    assert runs["inline"]["kind"] == "interactive" and runs["submitted"]["kind"] == "cell"
    assert {r["status"] for r in runs.values()} == {"Completed"}
    assert runs["submitted"]["params"] == {"lr": "0.2", "epochs": "40"}
    saved = nbformat.read(summary["notebook"], as_version=4)
    assert any(WIDGET_MIME in o.get("data", {}) for c in saved.cells for o in c.outputs)
    assert "widgets" in saved.metadata  # the widgets' state is saved for the user to open
    printed = text.getvalue()
    assert f"{EXPERIMENT}:1" in printed and summary["notebook"] in printed
    submitted = ws.experiment(EXPERIMENT).get_runs()[0]
    assert "done after 40 epochs" in submitted.get_logs()
