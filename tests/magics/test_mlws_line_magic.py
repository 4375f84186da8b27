"""``%mlws``: the CLI's words in a notebook (HTML, widgets) and in a terminal (text)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from jupyter_mlws import Workspace

from .kernel_outputs import WIDGET_MIME, error, has_widget, stderr, stdout

LOAD = "%load_ext jupyter_mlws"


def _make_runs(ws: Workspace) -> None:
    exp = ws.experiment("cli-exp")
    for lr in (0.1, 0.2):
        with exp.start_run(params={"lr": lr}) as run:
            run.log("loss", lr)


def test_mlws_renders_tables_as_html_and_runs_as_widgets(execute: Any, ws: Workspace) -> None:
    _make_runs(ws)
    nb = execute(
        [
            LOAD,
            "%mlws run list -e cli-exp",
            "%mlws run show cli-exp:2",
            "%mlws --json run list -e cli-exp",
            "%mlws experiment list",
        ]
    )
    listing = nb.cells[1].outputs[0]["data"]["text/html"]
    assert "<table" in listing and "cli-exp:1" in listing and "cli-exp:2" in listing
    shown = nb.cells[2]
    assert has_widget(shown)
    assert "number=2" in shown.outputs[0]["data"]["text/plain"]
    as_json = json.loads(stdout(nb.cells[3]))
    assert sorted(r["number"] for r in as_json) == [1, 2]
    assert "cli-exp" in nb.cells[4].outputs[0]["data"]["text/html"]


def test_mlws_errors_are_one_line(execute: Any, ws: Workspace) -> None:
    nb = execute(
        [
            LOAD,
            "%mlws run show nosuch:1",
            "%mlws frobnicate",
            "%mlws run list --limit notanumber",
            "%mlws run show 'unclosed",
        ]
    )
    first = error(nb.cells[1])
    assert first is not None and first.ename == "MagicError"
    assert first.traceback == ["mlws: error: experiment 'nosuch' does not exist"]
    second = error(nb.cells[2])
    assert second.traceback == ["mlws: error: No such command 'frobnicate'. (see `mlws --help`)"]
    assert "notanumber" in error(nb.cells[3]).traceback[-1]
    assert error(nb.cells[4]).traceback[-1].startswith("mlws: error: cannot parse")
    assert all("Traceback" not in stderr(c) for c in nb.cells)


def test_values_display_as_widgets_other_values_stay_plain(execute: Any, ws: Workspace) -> None:
    _make_runs(ws)
    nb = execute(
        [
            LOAD,
            "from jupyter_mlws import Workspace\nexp = Workspace.current().experiment('cli-exp')",
            "exp",
            "exp.get_runs()",
            "exp.get_runs()[0]",
            "[1, 2, 3]",
            "[]",
        ]
    )
    for index in (2, 3, 4):
        assert WIDGET_MIME in nb.cells[index].outputs[0]["data"], index
    assert nb.cells[2].outputs[0]["data"]["text/plain"].startswith("Experiment(")
    assert nb.cells[4].outputs[0]["data"]["text/plain"].startswith("Run(")
    assert nb.cells[5].outputs[0]["data"] == {"text/plain": "[1, 2, 3]"}
    assert nb.cells[6].outputs[0]["data"] == {"text/plain": "[]"}


def test_magics_work_in_a_terminal_ipython(tmp_path: Path, ws: Workspace) -> None:
    _make_runs(ws)
    script = tmp_path / "session.ipy"
    script.write_text(
        "%load_ext jupyter_mlws\n"
        "%mlws run list -e cli-exp\n"
        "from jupyter_mlws import Workspace\n"
        "print(repr(Workspace.current().experiment('cli-exp')))\n"
        "get_ipython().run_line_magic('pinfo', '%%run')\n"  # what `%%run?` shows
        "get_ipython().run_line_magic('pinfo', '%mlws')\n"
    )
    inline = tmp_path / "inline.ipy"
    inline.write_text(  # a file is one cell, so the cell magic is called as IPython would
        "%load_ext jupyter_mlws\n"
        "get_ipython().run_cell_magic('run', '--inline -e term -p n=3', 'print(\"n is\", n)')\n"
    )
    for path in (script, inline):
        done = subprocess.run(
            [sys.executable, "-m", "IPython", "--quick", "--no-banner", "--colors=nocolor", path],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        if path is script:
            assert "RUN" in done.stdout and "cli-exp:2" in done.stdout  # the CLI's text table
            assert "Experiment(name='cli-exp'" in done.stdout
            assert "usage: %%run [-e EXPERIMENT]" in done.stdout and "--inline" in done.stdout
            assert "%mlws run list -e my-experiment" in done.stdout
        else:
            assert "[mlws] run term:1" in done.stdout and "n is 3" in done.stdout
    run = ws.experiment("term").get_runs()[0]
    assert run.refresh().params == {"n": "3"} and "n is 3" in run.get_logs()
