"""``Run``: one execution, its lifecycle, details and children.

Logging lives in ``run_logging``, files in ``run_files``; this module holds identity,
status and the ``Run.get_context()`` rules.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TextIO

from jupyter_mlws.config import ENV_RUN_ID, ENV_WORKSPACE
from jupyter_mlws.entities import RunRecord, RunStatus
from jupyter_mlws.exceptions import InvalidParameterError, RunFailedError
from jupyter_mlws.tracking import git, liveness, run_listing, system_metrics_hook
from jupyter_mlws.tracking.metric_writer import get_writer
from jupyter_mlws.tracking.run_data import RunData
from jupyter_mlws.tracking.run_files import RunFiles
from jupyter_mlws.tracking.run_logging import RunLogging
from jupyter_mlws.tracking.run_models import RunModels

if TYPE_CHECKING:
    from jupyter_mlws.tracking.experiment import Experiment
    from jupyter_mlws.tracking.workspace import Workspace

DEFAULT_EXPERIMENT = "Default"
LOG_NAME = "std_log.txt"
DEFAULT_SYSTEM_METRICS_INTERVAL = 5.0
_context_lock = threading.Lock()
_context_run: Run | None = None


class Run(RunLogging, RunFiles, RunModels, RunData):
    def __init__(
        self,
        workspace: Workspace,
        run_id: str,
        *,
        record: RunRecord | None = None,
        owned: bool = False,
    ) -> None:
        self.workspace = workspace
        self.id = run_id
        self._record = record or workspace.store.get_run(run_id)
        self._owned = owned  # this process created it and ends it (interactive runs)
        # The folder whose outputs/ an interactive run collects when it ends (as the job
        # runner collects a submitted run's); None: nothing to collect (child runs).
        self._working_dir: Path | None = None
        self._metric_buffers = {}
        self._sampler: system_metrics_hook.Sampler | None = None

    # ---- creation and lookup ---------------------------------------------------------
    @classmethod
    def get(cls, workspace: Workspace, run_id: str) -> Run:
        return cls(workspace, run_id)

    @classmethod
    def start(
        cls,
        experiment: Experiment,
        *,
        name: str | None = None,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
        kind: str = "interactive",
        parent: Run | None = None,
        source_dir: str | None = None,
        system_metrics: bool | float = False,
    ) -> Run:
        """A run executed by this process: Running now, heartbeated by the writer thread.

        ``system_metrics=True`` samples this process and its subprocesses (a kernel's
        too) every ``system_metrics_interval`` seconds into ``system/…`` metrics until
        the run ends; a number is the interval itself.
        """
        ws = experiment.workspace
        interval = _sampling_interval(ws, system_metrics) if system_metrics else None
        pid, pid_started = liveness.process_identity()
        record = ws.store.create_run(
            experiment.id,
            kind=kind,
            compute="interactive",
            status=RunStatus.RUNNING,
            display_name=name,
            parent_id=parent.id if parent else None,
            params=params,
            tags=tags,
            properties=git.git_properties(source_dir or os.getcwd()),
            started=True,
        )
        ws.store.set_run_fields(
            record.id, host=liveness.this_host(), pid=pid, pid_started=pid_started
        )
        run = cls(ws, record.id, owned=True)
        if parent is None:  # a child's files are its parent's: collected once, there
            run._working_dir = Path(source_dir or os.getcwd()).resolve()
        get_writer().watch(ws.store, run.id, ws.config.heartbeat_seconds)
        if interval is not None:
            run._sampler = system_metrics_hook.start(ws.store, run.id, pid, interval)
        _register_exit_handler(run)
        return run

    @classmethod
    def get_context(cls) -> Run:
        """The submitted run inside a job; elsewhere a persisted interactive run.

        Unlike Azure's offline run, the interactive run is stored: nothing logged is lost.
        It is created at the first thing logged to it (or its id, or its record), so code
        that only asks for the context leaves no empty run behind.
        """
        global _context_run
        with _context_lock:
            if _context_run is not None:
                return _context_run
            from jupyter_mlws.tracking.workspace import Workspace

            run_id = os.environ.get(ENV_RUN_ID)
            if run_id:
                _exit_on_sigterm()
                ws = (
                    Workspace.open(os.environ[ENV_WORKSPACE])
                    if os.environ.get(ENV_WORKSPACE)
                    else Workspace.current()
                )
                _context_run = cls(ws, run_id)
            else:
                # created in the store only when something is logged to it
                from jupyter_mlws.tracking.deferred_run import DeferredRun

                _context_run = DeferredRun(os.environ.get("MLWS_EXPERIMENT", DEFAULT_EXPERIMENT))
            return _context_run

    @property
    def is_submitted(self) -> bool:
        return os.environ.get(ENV_RUN_ID) == self.id

    # ---- identity and state ------------------------------------------------------------
    @property
    def record(self) -> RunRecord:
        return self._record

    def refresh(self) -> RunRecord:
        self._record = run_listing.observed(self.workspace, self.workspace.store.get_run(self.id))
        return self._record

    @property
    def experiment(self) -> Experiment:
        """The run's own experiment, by id: also when it is archived (never a new one)."""
        from jupyter_mlws.tracking.experiment import Experiment

        info = self.workspace.store.get_experiment(self._record.experiment_id)
        return Experiment(self.workspace, info)

    @property
    def number(self) -> int:
        return self._record.number

    @property
    def display_name(self) -> str:
        return self._record.display_name

    @property
    def status(self) -> RunStatus:
        return self.refresh().status

    def get_status(self) -> str:
        return self.status.value

    @property
    def parent(self) -> Run | None:
        parent_id = self._record.parent_id
        return Run(self.workspace, parent_id) if parent_id else None

    def get_tags(self) -> dict[str, str]:
        return self.refresh().tags

    def get_properties(self) -> dict[str, str]:
        return self.refresh().properties

    def get_details(self) -> dict[str, Any]:
        record = self.refresh()
        details = record.to_dict()
        details["runId"] = record.id
        details["target"] = record.compute
        details["logFiles"] = self.workspace.store.log_names(record.id)
        return details

    # ---- lifecycle -----------------------------------------------------------------------
    def complete(self) -> None:
        """Mark Completed (inside a submitted job the runner does that; this only flushes)."""
        self.flush()
        if self.is_submitted:
            return
        self._end(RunStatus.COMPLETED)

    def fail(
        self, error_details: str | BaseException | None = None, error_code: str | None = None
    ) -> None:
        self.flush()
        error: dict[str, Any] = {"message": str(error_details or "failed")}
        if isinstance(error_details, BaseException):
            error["message"] = f"{type(error_details).__name__}: {error_details}"
            error["traceback"] = "".join(traceback.format_exception(error_details))
        if error_code:
            error["code"] = error_code
        self._end(RunStatus.FAILED, error=error)

    def cancel(self) -> None:
        """Canceled at once when nothing executes it; else ask its runner to stop it."""
        record = self.refresh()
        if record.status.is_terminal:
            return
        store = self.workspace.store
        if record.status.is_active and record.compute != "interactive":
            store.transition(
                self.id,
                RunStatus.CANCEL_REQUESTED,
                only_from=[s for s in RunStatus if s.is_active],
                activity="cancel",
            )
        else:
            self.flush()
            self._end(RunStatus.CANCELED, activity="cancel")
        self.refresh()

    @property
    def working_dir(self) -> Path | None:
        """Where this process executes the run, while it does: an interactive run's start
        folder, a submitted run's working folder inside its job; else None."""
        if self.is_submitted:
            return Path.cwd()
        if self._owned and self._record.status.is_active:
            return self._working_dir
        return None

    def _end(
        self,
        status: RunStatus,
        error: Mapping[str, Any] | None = None,
        activity: str | None = None,
    ) -> None:
        if self._sampler is not None:
            self._sampler.stop()  # its last sample lands before the run ends
            self._sampler = None
        if self._owned and self._working_dir is not None:
            self._collect_outputs(self._working_dir)
            self._working_dir = None  # once: a second end must not collect again
        self.workspace.store.transition(self.id, status, error=error, activity=activity)
        get_writer().unwatch(self.id)
        get_writer().release(self.id)
        self.refresh()

    def __enter__(self) -> Run:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.complete()
        elif isinstance(exc, KeyboardInterrupt):
            self.flush()
            self._end(RunStatus.CANCELED, error={"message": "interrupted (KeyboardInterrupt)"})
        else:
            self.fail(exc)

    def wait_for_completion(
        self,
        show_output: bool = False,
        timeout: float | None = None,
        raise_on_error: bool = True,
        poll: float = 0.2,
        out: TextIO | None = None,
    ) -> dict[str, Any]:
        """Block until the run ends, streaming its logs when ``show_output``."""
        stream = out or sys.stdout
        deadline = None if timeout is None else time.monotonic() + timeout
        offset = 0
        while True:
            record = self.refresh()
            if show_output:
                offset = self._print_logs(offset, stream)
            if record.status.is_terminal:
                if show_output:
                    self._print_logs(offset, stream)
                break
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"run {self.id} still {record.status.value} after {timeout}s")
            time.sleep(poll)
        if raise_on_error and record.status is not RunStatus.COMPLETED:
            raise RunFailedError(self.id, record.status.value, (record.error or {}).get("message"))
        return self.get_details()

    def _print_logs(self, offset: int, stream: TextIO) -> int:
        data, offset = self.workspace.store.read_log(self.id, LOG_NAME, offset)
        if data:
            stream.write(data.decode("utf-8", errors="replace"))
            stream.flush()
        return offset

    def get_logs(self, name: str = LOG_NAME) -> str:
        data, _ = self.workspace.store.read_log(self.id, name)
        return data.decode("utf-8", errors="replace")

    # ---- children ---------------------------------------------------------------------
    def child_run(self, name: str | None = None, **kwargs: Any) -> Run:
        return Run.start(self.experiment, name=name, parent=self, kind="child", **kwargs)

    def get_children(self, recursive: bool = False) -> list[Run]:
        records, _ = run_listing.list_runs(
            self.workspace, parent_id=self.id, limit=10_000, sort_by="number", descending=False
        )
        children = [Run(self.workspace, r.id, record=r) for r in records]
        if recursive:
            for child in list(children):
                children.extend(child.get_children(recursive=True))
        return children

    def __repr__(self) -> str:
        r = self._record
        return (
            f"Run(experiment={r.experiment_name!r}, number={r.number}, id={r.id!r}, "
            f"status={r.status.value!r})"
        )


def _exit_on_sigterm() -> None:
    """Cancel and max-duration stop a job with SIGTERM; exiting through ``sys.exit``
    runs the atexit flush, so the last buffered points are kept."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))


def _sampling_interval(ws: Workspace, system_metrics: bool | float) -> float:
    if system_metrics is True:
        return ws.config.system_metrics_interval or DEFAULT_SYSTEM_METRICS_INTERVAL
    interval = float(system_metrics)
    if not interval > 0:
        raise InvalidParameterError(
            f"system_metrics must be True or a positive interval in seconds, got {system_metrics!r}"
        )
    return interval


def start_run(
    experiment: str | None = None,
    name: str | None = None,
    *,
    workspace: Workspace | None = None,
    **kwargs: Any,
) -> Run:
    """An interactive run; use it as ``with start_run("exp") as run:``."""
    from jupyter_mlws.tracking.workspace import Workspace

    if experiment is not None and not isinstance(experiment, str):
        raise InvalidParameterError("start_run(experiment=…) takes an experiment name")
    ws = workspace or Workspace.current()
    return Run.start(ws.experiment(experiment or DEFAULT_EXPERIMENT), name=name, **kwargs)


_exit_runs: list[Run] = []
_unhandled: list[BaseException] = []


def _register_exit_handler(run: Run) -> None:
    if not _exit_runs:
        atexit.register(_end_runs_at_exit)
        previous = sys.excepthook

        def remember(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
            _unhandled.append(exc)  # the script is dying of it: its runs failed
            previous(kind, exc, tb)

        sys.excepthook = remember
    _exit_runs.append(run)


def _end_runs_at_exit() -> None:
    """Runs still open at exit: Failed if the script died of an exception, else Completed."""
    error = _unhandled[-1] if _unhandled else None
    for run in _exit_runs:
        try:
            if run.workspace.store.get_run(run.id).status.is_terminal:
                continue
            if isinstance(error, KeyboardInterrupt):
                run.flush()
                run._end(RunStatus.CANCELED, error={"message": "interrupted (KeyboardInterrupt)"})
            elif error is not None:
                run.fail(error)
            else:
                run.complete()
        except Exception:  # never break interpreter shutdown
            pass
