"""Is a recorded process still the one that was recorded? (pid plus start time)

A pid alone lies once the process is gone and the number is reused; the start time
recorded beside it tells the two apart. Runs, endpoints, managed clusters and the
local agent all record both and ask here.
"""

from __future__ import annotations

import contextlib
import os

START_TOLERANCE_S = 1.0  # create_time is rounded differently across psutil calls


def process_started(pid: int) -> float | None:
    """The start time of process ``pid``, or None when there is no such process."""
    import psutil

    try:
        return float(psutil.Process(pid).create_time())
    except psutil.NoSuchProcess:
        return None


def process_identity() -> tuple[int, float]:
    """This process's pid and start time (the pair survives pid reuse)."""
    import psutil

    return os.getpid(), psutil.Process().create_time()


def process_alive(pid: int | None, started: float | None = None, *, reap: bool = False) -> bool:
    """True while ``pid`` runs (not a zombie) and, when ``started`` is given, is still
    the process that started then. ``reap`` collects it if it is our exited child (only
    for children nobody else waits for: reaping under a ``Popen`` spoils its returncode).
    """
    if not pid:
        return False
    import psutil

    if reap:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
    try:
        proc = psutil.Process(pid)
        if started is not None and abs(proc.create_time() - started) > START_TOLERANCE_S:
            return False  # the pid was reused by another process
        return proc.status() not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except psutil.NoSuchProcess:
        return False
