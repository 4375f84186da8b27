"""Process groups: start a command in its own session, and stop the whole group."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jupyter_mlws.permissions import AccessModes

PR_SET_PDEATHSIG = 1


def _new_session_dying_with_parent() -> None:
    # Runs in the child between fork and exec: own session (so the group can be killed
    # as one), and SIGKILL if the runner itself dies, so no orphan keeps running.
    os.setsid()
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def start_group(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    stdin_pipe: bool = False,
    **kwargs: Any,
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
        preexec_fn=_new_session_dying_with_parent,
        **kwargs,
    )


def spawn_detached(argv: Sequence[str], *, env: Mapping[str, str], log_path: Path) -> int:
    """Start a process that outlives its parent (kernel, CLI, Jupyter server)."""
    folder = log_path.parent
    if not folder.is_dir():  # e.g. runs/<id>/: made like the workspace folder above it
        folder.parent.mkdir(parents=True, exist_ok=True)
        AccessModes.like(folder.parent).make_dir(folder)
    # The log is as private as the folder it is in (0600, or 0660 in a shared workspace).
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    with os.fdopen(AccessModes.like(log_path.parent).create_file(log_path, flags), "ab") as log:
        proc = subprocess.Popen(
            list(argv),
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    # Reap it when it ends, so a long-lived parent (a kernel) collects no zombies; if the
    # parent exits first, the child is re-parented and keeps running.
    threading.Thread(target=proc.wait, name=f"mlws-reap-{proc.pid}", daemon=True).start()
    return proc.pid


def kill_group(proc: subprocess.Popen[bytes], grace_seconds: float = 3.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left after the grace period."""
    try:
        pgid = os.getpgid(proc.pid)
    except ProcessLookupError:
        # The leader already exited and was reaped; its group (setsid: pgid == pid) may
        # still hold children it left behind, and Linux never reuses a live group's id.
        pgid = proc.pid
    for sig, wait in ((signal.SIGTERM, grace_seconds), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if proc.poll() is not None and not _group_alive(pgid):
                return
            time.sleep(0.05)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"
