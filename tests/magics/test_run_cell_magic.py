"""``%%run``: cells submitted as runs and run inline, on a real kernel."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from jupyter_mlws import Run, Workspace
from jupyter_mlws.entities import RunStatus

from .kernel_outputs import all_runs, error, has_widget, stderr, stdout

LOAD = "%load_ext jupyter_mlws"


def cell(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def only_run(ws: Workspace, experiment: str) -> Run:
    runs = ws.experiment(experiment).get_runs()
    assert len(runs) == 1, runs
    return runs[0]


def test_submitted_cell_runs_as_a_script_in_a_snapshot_of_the_notebook_folder(
    execute: Any, ws: Workspace, project: Path
) -> None:
    nb = execute(
        [
            LOAD,
            cell(
                """
                %%run -e subm -n first -p lr=0.1 -p layers=[32,16] -p opt=adam -t team=vision
                from jupyter_mlws import Run
                run = Run.get_context()
                print("lr", lr, type(lr).__name__, "layers", layers, "opt", opt)
                print(open("data.txt").read().strip())
                for step in range(5):
                    run.log("loss", lr / (step + 1))
                """
            ),
            "_mlws_run.id",
        ]
    )
    assert error(nb.cells[1]) is None
    assert has_widget(nb.cells[1])  # the live RunDetails, displayed at once
    run = only_run(ws, "subm")
    assert nb.cells[2].outputs[0]["data"]["text/plain"] == repr(run.id)
    run.wait_for_completion(timeout=120)
    record = run.refresh()
    assert record.kind == "cell" and record.compute == "local"
    assert record.display_name == "first"
    assert record.params == {"lr": "0.1", "layers": "[32,16]", "opt": "adam"}  # JSON
    assert record.tags == {"team": "vision"}
    assert run.get_metrics()["loss"] == [0.1, 0.05, 0.1 / 3, 0.025, 0.02]
    log = run.get_logs()
    assert "lr 0.1 float layers [32, 16] opt adam" in log
    assert "hello from the project" in log
    names = {e.path for e in _snapshot_files(ws, record.snapshot_id)}
    assert {"mlws_cell.py", "data.txt"} <= names
    assert not (project / "mlws_cell.py").exists()  # the script lives only in the snapshot


def _snapshot_files(ws: Workspace, snapshot_id: str | None) -> list[Any]:
    from jupyter_mlws.artifacts import load_manifest

    assert snapshot_id is not None
    return load_manifest(ws.blobs, snapshot_id)


def test_submitted_cell_with_ipython_syntax_runs_under_ipython(execute: Any, ws: Workspace) -> None:
    execute(
        [
            LOAD,
            cell(
                """
                %%run -e ipy --no-widget
                files = !ls
                print("listed", sorted(files))
                """
            ),
        ]
    )
    run = only_run(ws, "ipy")
    run.wait_for_completion(timeout=120)
    assert "listed ['data.txt'" in run.get_logs()


def test_failing_submitted_cell_keeps_its_traceback(execute: Any, ws: Workspace) -> None:
    execute([LOAD, "%%run -e fails -p x=0\nvalue = 1 / x"])
    run = only_run(ws, "fails")
    run.wait_for_completion(timeout=120, raise_on_error=False)
    record = run.refresh()
    assert record.status is RunStatus.FAILED
    assert record.error is not None
    assert "ZeroDivisionError" in record.error["message"]
    assert "value = 1 / x" in record.error["traceback"]


def test_inline_cell_is_a_tracked_run_of_this_kernel(execute: Any, ws: Workspace) -> None:
    nb = execute(
        [
            LOAD,
            cell(
                """
                %%run --inline -e inl -p lr=0.5 -p tag_text=hello -t kind=quick
                from jupyter_mlws import Run
                run = Run.get_context()
                print("context", run.id)
                for step in range(100):
                    run.log("loss", lr / (step + 1))
                import sys
                print("to stderr", file=sys.stderr)
                lr * 2
                """
            ),
            "Run.get_context().id != _mlws_run.id, lr",
        ]
    )
    run = only_run(ws, "inl")
    record = run.refresh()
    assert record.status is RunStatus.COMPLETED
    assert record.params == {"lr": "0.5", "tag_text": "hello"}
    assert record.tags == {"kind": "quick"}
    first = nb.cells[1]
    assert has_widget(first)
    assert f"context {run.id}" in stdout(first)  # shown in the notebook …
    assert "to stderr" in stderr(first)
    log = run.get_logs()
    assert f"context {run.id}" in log and "to stderr" in log  # … and kept in the run's log
    assert first.outputs[-1]["data"]["text/plain"] == "1.0"  # the cell's value
    assert len(run.get_metrics()["loss"]) == 100
    # after the cell, get_context is no longer that run; injected params stay variables
    assert nb.cells[2].outputs[0]["data"]["text/plain"] == "(True, 0.5)"


def test_inline_exception_fails_the_run_and_is_raised_again(execute: Any, ws: Workspace) -> None:
    nb = execute(
        [
            LOAD,
            cell(
                """
                %%run --inline -e boom
                print("before")
                def divide(a, b):
                    return a / b
                divide(1, 0)
                """
            ),
            "print('next cell runs')",
        ]
    )
    err = error(nb.cells[1])
    assert err is not None and err.ename == "ZeroDivisionError"
    assert "next cell runs" in stdout(nb.cells[2])
    record = only_run(ws, "boom").refresh()
    assert record.status is RunStatus.FAILED
    assert record.error is not None
    assert record.error["message"] == "ZeroDivisionError: division by zero"
    trace = record.error["traceback"]
    assert "divide(1, 0)" in trace and "return a / b" in trace
    assert "jupyter_mlws" not in trace  # only the cell's frames, not the magic's
    log = only_run(ws, "boom").get_logs()
    assert "before" in log and "ZeroDivisionError" in log


def test_inline_keyboard_interrupt_cancels_the_run(execute: Any, ws: Workspace) -> None:
    nb = execute([LOAD, "%%run --inline -e stop\nprint('working')\nraise KeyboardInterrupt"])
    err = error(nb.cells[1])
    assert err is not None and err.ename == "KeyboardInterrupt"
    record = only_run(ws, "stop").refresh()
    assert record.status is RunStatus.CANCELED


def test_inline_syntax_error_fails_the_run(execute: Any, ws: Workspace) -> None:
    nb = execute([LOAD, "%%run --inline -e syntax\ndef broken(:"])
    err = error(nb.cells[1])
    assert err is not None and err.ename == "SyntaxError"
    assert only_run(ws, "syntax").refresh().status is RunStatus.FAILED


def test_bad_options_show_usage_and_create_no_run(execute: Any, ws: Workspace) -> None:
    bad_lines = [
        "%%run --bogus",
        "%%run -p lr",
        "%%run -p 1x=2",
        "%%run -p class=2",
        "%%run -t novalue",
        "%%run -e",
        "%%run --inline -c local2",
        "%%run -p 'unclosed",
        "%%run -p lr=0.1.2",
        "%%run --inline -p lr=1..5",
    ]
    nb = execute([LOAD, *(f"{line}\nprint('must not run')" for line in bad_lines)])
    for line, executed in zip(bad_lines, nb.cells[1:]):
        err = error(executed)
        assert err is not None, line
        assert err.ename == "MagicError", line
        assert len(err.traceback) <= 2, err.traceback  # usage + one line, no traceback
        assert err.traceback[-1].startswith("mlws: error: "), line
        assert "must not run" not in stdout(executed)
    assert "usage: %%run" in error(nb.cells[2]).traceback[0]
    assert "expected NAME=VALUE" in error(nb.cells[2]).traceback[-1]
    assert "lr: '0.1.2' is not a valid number" in error(nb.cells[9]).traceback[-1]
    assert all_runs(ws) == []


def test_unknown_target_and_bad_experiment_name_are_clear_errors(
    execute: Any, ws: Workspace
) -> None:
    nb = execute(
        [
            LOAD,
            "%%run -c gpu-cluster\nprint('no')",
            "%%run -e '../escape'\nprint('no')",
            "%%run --inline -e 'bad/../name'\nprint('no')",
            "%%run --source-dir /does/not/exist\nprint('no')",
        ]
    )
    messages = [error(c).traceback[-1] for c in nb.cells[1:]]
    assert messages[0] == "mlws: error: unknown compute target 'gpu-cluster'; available: local"
    assert "invalid experiment name '../escape'" in messages[1]
    assert "invalid experiment name 'bad/../name'" in messages[2]
    assert "/does/not/exist" in messages[3]
    assert all_runs(ws) == []


def test_help_of_the_magics() -> None:
    from jupyter_mlws.magics import MlwsMagics

    run_help = MlwsMagics.run_cell_magic.__doc__ or ""
    for option in ("-e", "-c", "-n", "-p", "-t", "--inline", "--source-dir", "--no-widget"):
        assert option in run_help
    assert "%mlws run list" in (MlwsMagics.mlws.__doc__ or "")
