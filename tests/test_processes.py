"""``process_alive``: pid plus start time, with real processes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from helpers import wait_until

from jupyter_mlws.processes import process_alive, process_identity, process_started


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])


def test_a_running_process_is_alive_only_with_its_own_start_time() -> None:
    proc = _sleeper()
    try:
        started = process_started(proc.pid)
        assert started is not None
        assert process_alive(proc.pid, started)
        assert process_alive(proc.pid)
        assert not process_alive(proc.pid, started + 100)  # another process reusing the pid
    finally:
        proc.kill()
        proc.wait()


def test_an_exited_child_is_dead_even_before_it_is_reaped() -> None:
    proc = _sleeper()
    started = process_started(proc.pid)
    proc.kill()
    wait_until(lambda: not process_alive(proc.pid, started))  # a zombie until waited for
    assert proc.poll() is not None  # not reaped behind Popen's back
    assert not process_alive(proc.pid, started)
    assert not process_alive(None, None) and not process_alive(0)


def test_reap_collects_our_exited_child() -> None:
    proc = _sleeper()
    proc.kill()
    wait_until(lambda: not process_alive(proc.pid, reap=True))
    assert not process_alive(proc.pid, reap=True)  # the first False may have seen the zombie
    with pytest.raises(ChildProcessError):
        os.waitpid(proc.pid, os.WNOHANG)
    proc.wait()


def test_this_process_identity() -> None:
    pid, started = process_identity()
    assert pid == os.getpid() and process_alive(pid, started)
