"""The log pump interleaves stdout and stderr a whole line at a time."""

import os
import time
from pathlib import Path

from jupyter_mlws import Workspace
from jupyter_mlws.compute.log_pump import LogPump


def _pump(tmp_path: Path, line_wait: float) -> tuple[Workspace, str, LogPump, int, int]:
    ws = Workspace.init(tmp_path / "proj")
    run = ws.experiment("e").start_logging()
    pump = LogPump(ws.store, run.id, "std_log.txt", line_wait=line_wait)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pump.attach(os.fdopen(out_r, "rb", buffering=0))
    pump.attach(os.fdopen(err_r, "rb", buffering=0), is_stderr=True)
    return ws, run.id, pump, out_w, err_w


def _log(ws: Workspace, run_id: str) -> bytes:
    return ws.store.read_log(run_id, "std_log.txt")[0]


def _wait_for(ws: Workspace, run_id: str, text: bytes) -> None:
    deadline = time.monotonic() + 60
    while text not in _log(ws, run_id):
        assert time.monotonic() < deadline, _log(ws, run_id)
        time.sleep(0.05)


def test_a_line_written_in_pieces_is_not_split_by_the_other_stream(tmp_path: Path) -> None:
    ws, run_id, pump, out_w, err_w = _pump(tmp_path, line_wait=600)
    os.write(out_w, b"other:")  # print("other:", x) unbuffered: one write per piece
    os.write(err_w, b"Traceback (most recent call last):\n")
    _wait_for(ws, run_id, b"Traceback")
    os.write(out_w, b" None\n")
    os.close(out_w)
    os.close(err_w)
    pump.close()
    assert _log(ws, run_id) == b"Traceback (most recent call last):\nother: None\n"


def test_an_unfinished_line_still_shows_up_live(tmp_path: Path) -> None:
    ws, run_id, pump, out_w, err_w = _pump(tmp_path, line_wait=0.05)
    os.write(out_w, b"epoch 1/3\r")
    os.write(out_w, b"password? ")  # a prompt: no end of line ever comes
    _wait_for(ws, run_id, b"epoch 1/3\rpassword? ")
    os.close(out_w)
    os.close(err_w)
    pump.close()
    assert _log(ws, run_id) == b"epoch 1/3\rpassword? "
