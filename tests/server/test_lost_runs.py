"""The server marks runs whose process died as lost, with nobody reading them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from jupyter_mlws.entities import RunStatus
from jupyter_mlws.workspace import Workspace

from .live_server import live_server

INTERACTIVE = """
import sys
from jupyter_mlws import Workspace
run = Workspace.open(sys.argv[1]).experiment("exp").start_logging("doomed")
run.log("x", 1.0)
print(run.id, flush=True)
sys.stdin.read()  # holds until killed
"""


def test_a_killed_interactive_run_is_marked_lost_by_the_server(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    settings = {"lost_run_sweep_seconds": 0.5}
    with live_server(ws.root, tmp_path / "server", mlws_settings=settings):
        with subprocess.Popen(
            [sys.executable, "-c", INTERACTIVE, str(ws.root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        ) as proc:
            try:
                assert proc.stdout is not None
                run_id = proc.stdout.readline().strip()
                assert ws.store.get_run(run_id).status is RunStatus.RUNNING
            finally:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        # Read the store as it is (get_run observes nothing): only the server can
        # have marked it. The deadline is the workspace's lost_after_seconds.
        deadline = time.monotonic() + ws.config.lost_after_seconds
        while ws.store.get_run(run_id).status is RunStatus.RUNNING:
            assert time.monotonic() < deadline, "the server never marked the dead run"
            time.sleep(0.1)
    record = ws.store.get_run(run_id)
    assert record.status is RunStatus.FAILED
    assert record.error is not None and record.error["code"] == "lost"
