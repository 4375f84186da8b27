"""The job runner: executes one submitted run where its compute target put it.

``python -m jupyter_mlws.compute.job RUN_ID`` (local target) or ``execute(ws, run_id)``
(inside a Dask worker). Steps, as in DESIGN §4: materialize the snapshot into a fresh
folder, start the user's command in its own process group with ``MLWS_*`` set, stream
its output into the run's log, heartbeat and obey cancel/max-duration, collect
``outputs/``, and record the exit status. Every state change goes through the store.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from jupyter_mlws.artifacts import materialize
from jupyter_mlws.artifacts.collect import collect_folder
from jupyter_mlws.compute import azureml_shim
from jupyter_mlws.compute.log_pump import LogPump, extract_traceback
from jupyter_mlws.compute.preparing import Preparation, prepare
from jupyter_mlws.compute.process import describe_exit, kill_group, start_group
from jupyter_mlws.compute.redact import redact_json, redact_notebooks, redact_text
from jupyter_mlws.compute.run_environment import prepare as prepare_environment
from jupyter_mlws.config import ENV_RUN_ID, ENV_WORKSPACE
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import MlwsError
from jupyter_mlws.monitoring import oom
from jupyter_mlws.monitoring.system_metrics import (
    SystemMetricsMonitor,
    start_for_process,
    stop_quietly,
)
from jupyter_mlws.tracking import Workspace
from jupyter_mlws.tracking.liveness import REDISPATCH_WHEN_LOST, process_identity, this_host
from jupyter_mlws.tracking.run import LOG_NAME
from jupyter_mlws.tracking.run_data import secret_forms

OUTPUTS = "outputs"
# The user's command may write a JSON object here (e.g. a failing notebook cell's index,
# ename, evalue, traceback); the runner merges it into the run's error.
ENV_ERROR_FILE = "MLWS_ERROR_FILE"
# How often a controller (REDISPATCH_WHEN_LOST) killed by a signal is started again
# before its run fails: a controller that keeps crashing must not loop forever.
REDISPATCHES_TAG = "mlws.redispatches"
MAX_REDISPATCHES = 5

# (warm spec, argv, cwd, env) → a process already running argv, or None to start it cold.
Launcher = Callable[
    [Sequence[str], Sequence[str], Path, Mapping[str, str]], "subprocess.Popen[bytes] | None"
]


class Job:
    def __init__(self, ws: Workspace, run_id: str, launcher: Launcher | None = None) -> None:
        self.ws = ws
        self.launcher = launcher
        self.store = ws.store
        self.run_id = run_id
        self.record = self.store.get_run(run_id)
        self.definition: dict[str, Any] = self.record.definition
        self.workdir = ws.runs_dir / run_id / "wd"
        self.error_file = ws.runs_dir / run_id / "error.json"
        self.pump = LogPump(self.store, run_id, LOG_NAME, self.store.log_size(run_id, LOG_NAME))
        self.reason: tuple[RunStatus, str] | None = None
        self.preparation = Preparation()
        self.monitor: SystemMetricsMonitor | None = None
        self.oom_kills_before = oom.oom_kills()

    def execute(self) -> RunStatus:
        pid, started = process_identity()
        self.store.set_run_fields(self.run_id, host=this_host(), pid=pid, pid_started=started)
        try:
            proc = self._start()
        except MlwsError as exc:  # requirements that do not resolve, a missing input or secret
            self.pump.close()
            error = {"message": f"Preparing failed: {exc.message}", "code": exc.error_code}
            return self._finish(RunStatus.FAILED, error)
        except Exception as exc:
            return self._finish(RunStatus.FAILED, {"message": f"could not start the run: {exc}"})
        if proc is None:
            return self._finish(RunStatus.CANCELED, {"message": "canceled before it started"})
        self._start_monitor(proc.pid)
        try:
            code = self._supervise(proc)
        finally:
            stop_quietly(self.monitor)
        kill_group(proc, grace_seconds=1.0)  # whatever the script left running in the background
        self.pump.close()
        return self._conclude(code)

    def _start_monitor(self, pid: int) -> None:
        interval = self.ws.config.system_metrics_interval
        if not interval:
            return
        try:
            self.monitor = start_for_process(self.store, self.run_id, pid, interval)
        except Exception as exc:  # e.g. the process already gone: the run goes on unsampled
            self._log_line(f"system metrics not sampled: {exc}")

    def _start(self) -> subprocess.Popen[bytes] | None:
        if self.workdir.exists():
            shutil.rmtree(self.workdir)
        self.ws.modes.make_dir(self.workdir.parent)
        self.ws.modes.make_dir(self.workdir)
        if self.record.snapshot_id:
            materialize(self.ws.blobs, self.record.snapshot_id, self.workdir)
        self.preparation = prep = prepare(
            self.ws, self.run_id, self.definition, self.workdir, self._log_line
        )
        self.pump.redact({form for value in prep.redact for form in secret_forms(value)})
        run_env = prepare_environment(self.store, self.run_id, self.definition, self._log)
        argv = [run_env.python if a == "{python}" else a for a in self.definition["argv"]]
        argv = prep.apply(argv)
        env = {
            **os.environ,
            **run_env.env,
            # secret references ({"secret": NAME}) were resolved by prepare() into prep.env
            **{
                str(k): str(v)
                for k, v in self.definition.get("env", {}).items()
                if not isinstance(v, Mapping)
            },
            **prep.env,
            ENV_WORKSPACE: str(self.ws.root),
            ENV_RUN_ID: self.run_id,
            ENV_ERROR_FILE: str(self.error_file),
            "PYTHONUNBUFFERED": "1",
        }
        env = azureml_shim.child_env(env, self.workdir)
        self.error_file.unlink(missing_ok=True)
        # a run in an environment names its warm spec "warm_env": it is complete only now
        warm = self.definition.get("warm") or self.definition.get("warm_env")
        warm = [*warm, *run_env.warm_args] if warm else warm
        proc = self.launcher(warm, argv, self.workdir, env) if self.launcher and warm else None
        if proc is None:
            proc = start_group(
                argv, cwd=self.workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        assert proc.stdout is not None and proc.stderr is not None
        self.pump.attach(proc.stdout)
        self.pump.attach(proc.stderr, is_stderr=True)
        if not self.store.transition(
            self.run_id, RunStatus.RUNNING, only_from=[RunStatus.PREPARING]
        ):
            kill_group(proc)  # canceled while preparing
            self.pump.close()
            return None
        return proc

    def _log(self, text: str) -> None:
        """Build output during Preparing; a long build keeps the run's heartbeat going."""
        self.pump.write(text.encode())
        self.pump.flush()
        self._heartbeat()

    def _supervise(self, proc: subprocess.Popen[bytes]) -> int:
        beat = self.ws.config.heartbeat_seconds
        max_duration = self.definition.get("max_duration_s")
        started = time.monotonic()
        while True:
            try:
                return proc.wait(timeout=min(beat, 0.5))
            except subprocess.TimeoutExpired:
                pass
            status = self._heartbeat() or self._status()
            if status is RunStatus.CANCEL_REQUESTED:
                self.reason = (RunStatus.CANCELED, "canceled by request")
            elif max_duration and time.monotonic() - started > float(max_duration):
                self.reason = (
                    RunStatus.FAILED,
                    f"exceeded its maximum duration of {max_duration} s",
                )
            if self.reason is not None:
                kill_group(proc)
                return proc.wait()

    def _status(self) -> RunStatus | None:
        """Between heartbeats, a read: a cancel (a sweep's policy stopping a trial) is
        obeyed within half a second, not a heartbeat later."""
        try:
            return self.store.run_status(self.run_id)
        except Exception:  # as for heartbeats: a busy database is tried again
            return None

    def _heartbeat(self) -> RunStatus | None:
        now = time.monotonic()
        if now - getattr(self, "_last_beat", 0.0) < self.ws.config.heartbeat_seconds:
            return None
        self._last_beat = now
        try:
            return self.store.heartbeat(self.run_id)
        except Exception:  # a busy database must not kill the job; try next beat
            return None

    def _conclude(self, code: int) -> RunStatus:
        if code < 0 and self.reason is None and self._redispatch():
            return RunStatus.QUEUED
        if self.reason is None and self._status() is RunStatus.CANCEL_REQUESTED:
            # asked to cancel after the last look: the request wins over the exit status
            self.reason = (RunStatus.CANCELED, "canceled by request")
        self.store.transition(
            self.run_id,
            RunStatus.FINALIZING,
            only_from=[RunStatus.RUNNING, RunStatus.CANCEL_REQUESTED],
        )
        self._collect_outputs()
        if self.reason is not None:
            status, message = self.reason
            return self._finish(status, {"message": message, "exit_code": code})
        if code == 0:
            try:
                for step in self.preparation.on_success:  # e.g. register output datasets
                    step()
            except Exception as exc:
                message = redact_text(
                    f"could not save the run's output data: {exc}", self.preparation.redact
                )
                return self._finish(RunStatus.FAILED, {"message": message})
            return self._finish(RunStatus.COMPLETED, None)
        error: dict[str, Any] = {"message": describe_exit(code), "exit_code": code}
        tb = extract_traceback(bytes(self.pump.stderr_tail))
        if tb:
            error["traceback"] = tb
            error["message"] = tb.strip().splitlines()[-1]
        error.update(self._reported_error())
        if "ename" in error:
            last_words: str | None = f"{error['ename']}: {error.get('evalue', '')}"
        else:
            last_words = error["message"] if tb else None
        memory = oom.memory_failure(
            code,
            last_words,
            self.monitor.peak_rss_mb if self.monitor else None,
            self.oom_kills_before,
            oom.oom_kills(),
        )
        if memory:
            error.update(memory)
        return self._finish(RunStatus.FAILED, error)

    def _redispatch(self) -> bool:
        """A controller killed by a signal goes back to the queue; ``execute`` then
        dispatches its target, and the next runner continues from the database."""
        if not self.definition.get(REDISPATCH_WHEN_LOST):
            return False
        count = int(self.store.get_run(self.run_id).tags.get(REDISPATCHES_TAG, "0"))
        if count >= MAX_REDISPATCHES:
            return False
        self.store.set_tags(self.run_id, {REDISPATCHES_TAG: count + 1})
        line = f"[mlws] the controller was killed; starting it again ({count + 1})\n"
        offset = self.store.log_size(self.run_id, LOG_NAME)  # the log pump is closed
        self.store.append_log(self.run_id, LOG_NAME, offset, line.encode())
        return self.store.transition(
            self.run_id,
            RunStatus.QUEUED,
            only_from=[RunStatus.RUNNING],
            host=None,
            pid=None,
            pid_started=None,
        )

    def _reported_error(self) -> dict[str, Any]:
        try:
            reported = json.loads(self.error_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(reported, dict):
            return {}
        return dict(redact_json(reported, self.preparation.redact))

    def _collect_outputs(self) -> None:
        """Store ``outputs/`` (never what a link in it points to outside it, see collect)."""
        outputs = self.workdir / OUTPUTS
        if not (outputs.is_dir() or outputs.is_symlink()):
            return
        notes = []
        try:
            if not outputs.is_symlink():  # a linked folder is refused whole by collect
                # Output notebooks hold what cells printed: mask secrets before storing.
                redact_notebooks(outputs, self.preparation.redact)
            collected = collect_folder(outputs, self.ws.blobs, OUTPUTS)
            self.store.add_artifacts(self.run_id, collected.entries)
            notes = [
                f"[mlws] {path} not collected: a symbolic link to outside outputs/ is never "
                "followed\n"
                for path in collected.refused
            ]
        except Exception as exc:
            notes = [f"[mlws] could not collect outputs/: {exc}\n"]
        if notes:
            self.pump.write(("\n" + "".join(notes)).encode())
            self.pump.flush()

    def _log_line(self, message: str) -> None:
        self.pump.write(f"[mlws] {message}\n".encode())

    def _finish(self, status: RunStatus, error: dict[str, Any] | None) -> RunStatus:
        self.store.transition(self.run_id, status, error=error)
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.error_file.unlink(missing_ok=True)
        return status


def execute(ws: Workspace, run_id: str, launcher: Launcher | None = None) -> RunStatus:
    """Run one claimed run to its end, then start whatever is queued behind it."""
    from jupyter_mlws.compute.targets import get_target

    try:
        return Job(ws, run_id, launcher).execute()
    finally:
        get_target(ws, ws.store.get_run(run_id).compute).dispatch()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m jupyter_mlws.compute.job RUN_ID", file=sys.stderr)
        return 2
    ws = Workspace.open(Path(os.environ[ENV_WORKSPACE]))
    status = execute(ws, args[0])
    return 0 if status is RunStatus.COMPLETED else 1


if __name__ == "__main__":
    sys.exit(main())
