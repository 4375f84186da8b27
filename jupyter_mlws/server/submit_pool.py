"""Submissions from the browser run in worker processes, not in the server's threads.

Snapshotting a folder is Python work (walking, stat-ing, building the manifest): on a
thread it would hold the GIL that the event loop needs, and every kernel websocket of
the server would stutter while 20 users submit. In a process it only shares the CPU.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from threading import Lock
from typing import Any

from jupyter_mlws.server.submission import Submission, submit
from jupyter_mlws.services import runs
from jupyter_mlws.workspace import Workspace

NICENESS = 5  # below the server's own process: the event loop answers first

_workspaces: dict[str, Workspace] = {}  # per worker process: open each workspace once


def submit_in_worker(workspace_root: str, root_dir: Path, submission: Submission) -> dict[str, Any]:
    """The new run's details, as ``GET /runs/{id}`` shows them."""
    ws = _workspaces.get(workspace_root)
    if ws is None:
        ws = _workspaces[workspace_root] = Workspace.open(workspace_root)
    run = submit(ws, root_dir, submission)
    return runs.get_details(ws, run.id).to_dict()


def open_in_worker(workspace_root: str) -> None:
    if workspace_root not in _workspaces:
        _workspaces[workspace_root] = Workspace.open(workspace_root)


def _lower_priority() -> None:
    os.nice(NICENESS)


class SubmitPool:
    """Worker processes, spawned (the server has threads, and forking a threaded process
    is unsafe) when a front end first shows up or on the first submission.

    A spawned worker imports the package before it can work: seconds on a busy machine.
    Until the first one is up, submissions run on ``fallback`` (threads of this process,
    with everything imported already), so nobody waits for the start.
    """

    def __init__(
        self, workspace_root: Path, root_dir: Path, fallback: Executor, workers: int = 2
    ) -> None:
        self.workspace_root = str(workspace_root)
        self.root_dir = root_dir
        self.fallback = fallback
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._ready: Future[None] | None = None
        self._lock = Lock()

    def submit(self, submission: Submission) -> Future[dict[str, Any]]:
        """The new run's details, once it is snapshotted and queued."""
        args = (self.workspace_root, self.root_dir, submission)
        pool = self._executor()
        ready = self._ready
        if ready is not None and ready.done() and ready.exception() is None:
            return pool.submit(submit_in_worker, *args)
        return self.fallback.submit(submit_in_worker, *args)

    def warm(self) -> None:
        """Start the first worker now rather than on the first submission."""
        self._executor()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(
                    self.workers, mp_context=context, initializer=_lower_priority
                )
                self._ready = self._pool.submit(open_in_worker, self.workspace_root)
            return self._pool

    def shutdown(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
                self._ready = None
