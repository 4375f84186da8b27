"""The controller is a job like any other: it survives its own death, runs independent
steps side by side, and a cancel stops every running step's process group."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import psutil
import pytest
from helpers import gone, wait_until
from pipeline_helpers import write

from jupyter_mlws import Workspace
from jupyter_mlws.pipeline import Pipeline, PipelineData, PythonScriptStep

# Waits for a flag file (a state, not a time) and records its pid.
WAIT_FOR_FLAG = """
import os, pathlib, sys, time
folder = pathlib.Path(sys.argv[1])
(folder / f"{sys.argv[2]}.pid").write_text(str(os.getpid()))
while not (folder / "go").exists():
    time.sleep(0.05)
if len(sys.argv) > 3:
    pathlib.Path(sys.argv[3], "made.txt").write_text("made")
"""


@pytest.mark.parametrize("victim", ["runner", "controller"])
def test_a_killed_controller_is_redispatched_and_no_step_runs_twice(
    ws: Workspace, src: Path, tmp_path: Path, victim: str
) -> None:
    write(src, "wait.py", WAIT_FOR_FLAG)
    flags = tmp_path / "flags"
    flags.mkdir()
    made = PipelineData("made")
    first = PythonScriptStep(
        "wait.py",
        name="first",
        source_directory=src,
        outputs=[made],
        arguments=[str(flags), "first", made],
        allow_reuse=False,
    )
    second = PythonScriptStep(
        "prep.py",
        name="second",
        source_directory=src,
        inputs=[made],
        arguments=["--out", ".", "x"],
        allow_reuse=False,
    )
    run = ws.experiment("pipes").submit(Pipeline(ws, [first, second]))
    wait_until(lambda: (flags / "first.pid").exists())
    controller = run.refresh()
    assert controller.pid is not None
    if victim == "runner":  # the runner, and the controller under it (it dies with it)
        os.killpg(controller.pid, signal.SIGKILL)
        wait_until(lambda: gone(controller.pid))
    else:  # the controller only: its runner queues the pipeline run again
        wait_until(lambda: bool(psutil.Process(controller.pid).children()))
        child = psutil.Process(controller.pid).children()[0]
        child.send_signal(signal.SIGKILL)
        wait_until(lambda: not child.is_running() or child.status() == psutil.STATUS_ZOMBIE)
    (flags / "go").touch()
    run.wait_for_completion(timeout=300)
    assert run.refresh().pid != controller.pid  # a second controller finished the work
    names = [c.display_name for c in run.get_children()]
    assert sorted(names) == ["first", "second"]  # each step ran exactly once


def test_independent_steps_run_together_and_cancel_stops_them(
    ws: Workspace, src: Path, tmp_path: Path
) -> None:
    write(src, "wait.py", WAIT_FOR_FLAG)
    flags = tmp_path / "flags"
    flags.mkdir()
    steps = [
        PythonScriptStep(
            "wait.py",
            name=name,
            source_directory=src,
            arguments=[str(flags), name],
            allow_reuse=False,
        )
        for name in ("left", "right")
    ]
    after = PythonScriptStep(
        "prep.py",
        name="after",
        source_directory=src,
        inputs=[PipelineData("never")],
        arguments=["--out", "."],
    )
    steps[0].outputs = [PipelineData("never")]
    run = ws.experiment("pipes").submit(Pipeline(ws, [*steps, after]))
    # both branches are running at the same time
    wait_until(lambda: (flags / "left.pid").exists() and (flags / "right.pid").exists())
    pids = [int((flags / f"{n}.pid").read_text()) for n in ("left", "right")]
    run.cancel()
    wait_until(lambda: run.refresh().status.is_terminal, timeout=120)
    status = {s.name: s.status for s in run.get_steps()}
    wait_until(lambda: all(s.status == "Canceled" for s in run.get_steps()), timeout=120)
    assert run.status.value == "Canceled", status
    assert all(gone(pid) for pid in pids)
