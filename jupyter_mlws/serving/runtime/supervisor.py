"""The supervisor: one listening socket, N forked workers, restarts and reloads.

Not ``uvicorn --workers`` (its listener loses TCP_NODELAY, see ``listener``): the
socket is made once, and every worker (forked, so it inherits it) accepts from the same
queue.

Signals: SIGTERM/SIGINT stop (workers drain first); SIGHUP reloads the configuration.
A reload with a new ``generation`` starts new workers beside the old ones, and only
when all of them are ready (``init()`` done) are the old ones drained: requests never
stop being answered, and a new version whose ``init()`` fails never takes over.
A worker that dies is replaced. So is one that reports ``stuck`` (too many ``run()``
calls still running past their timeout): a fresh worker is started beside it, and only
once that one is ready is the stuck one drained, so no request goes unanswered. The
state is written to a status file as JSON.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import prom
from .config import ServiceConfig, write_json_atomic
from .listener import bind_listener
from .logwriter import LogPipes, fork_writer
from .worker import SinkFactory, WriterFactory, worker_main

RESTART_BACKOFF_MAX_S = 30.0
KEPT_GENERATIONS = 5


@dataclass
class Worker:
    pid: int
    fd: int | None
    generation: int
    ready: bool = False
    buffer: bytes = b""
    replaced_by: int | None = None
    """The pid of the worker started to take over from this stuck one."""


@dataclass
class Generation:
    config: ServiceConfig
    workers: dict[int, Worker] = field(default_factory=dict)
    failure: dict[str, str] | None = None

    @property
    def number(self) -> int:
        return self.config.generation

    @property
    def all_ready(self) -> bool:
        ready = [w for w in self.workers.values() if w.ready]
        return len(ready) >= self.config.workers


class Supervisor:
    def __init__(
        self,
        load: Callable[[], ServiceConfig],
        status_path: Path | None,
        sink_factory: SinkFactory | None = None,
        writer_factory: WriterFactory | None = None,
    ) -> None:
        self.load = load
        self.status_path = status_path
        self.sink_factory = sink_factory
        self.writer_factory = writer_factory
        self.sock: socket.socket | None = None
        self.serving: Generation | None = None
        self.pending: Generation | None = None
        self.retiring: dict[int, Worker] = {}
        self.restarts = 0
        self.replaced_stuck = 0
        self.restart_at: list[float] = []
        self.crash_times: list[float] = []
        self.generations: dict[str, dict[str, Any]] = {}
        self.stopping = False
        self.reload_requested = False
        self.state = "starting"
        self.last_config: ServiceConfig | None = None
        self.port: int | None = None
        self.pipes: LogPipes | None = None
        self.log_config: ServiceConfig | None = None
        self.writer_pid: int | None = None
        self.metrics: prom.SupervisorMetrics | None = None
        self._temp_metrics_dir: str | None = None

    # ---- main loop ----------------------------------------------------------------
    def run(self) -> int:
        config = self.load()
        self._start_logs(config)
        self._start_metrics(config)
        try:
            return self._serve(config)
        finally:
            self._close_logs()
            if self._temp_metrics_dir is not None:
                shutil.rmtree(self._temp_metrics_dir, ignore_errors=True)

    def _serve(self, config: ServiceConfig) -> int:
        try:
            self.sock = bind_listener(config.bind, config.port)
        except OSError as exc:
            message = exc.strerror or str(exc)
            self._record(config.generation, "failed", error=message)
            self._write_status("failed", error=message)
            _log(f"cannot listen: {message}")
            return 2
        self.port = int(self.sock.getsockname()[1])  # port 0 in the config: any free one
        self._install_signals()
        _log(
            f"listening on http://{_host(config.bind)}:{self.port} "
            f"(pid {os.getpid()}, {config.workers} worker(s), generation {config.generation})"
        )
        self.pending = self._start_generation(config)
        self._write_status("starting")
        while True:
            self._wait_for_events()
            self._reap()
            self._settle_pending()
            if self.serving is None and self.pending is None:
                return 3  # the first generation failed: nothing to serve
            if self.stopping:
                return self._stop()
            if self.reload_requested:
                self._reload()
            self._restart_due_workers()

    def _install_signals(self) -> None:
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        signal.set_wakeup_fd(self._wake_w)

        def on_stop(sig: int, frame: Any) -> None:
            self.stopping = True

        def on_reload(sig: int, frame: Any) -> None:
            self.reload_requested = True

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        signal.signal(signal.SIGHUP, on_reload)
        signal.signal(signal.SIGCHLD, lambda sig, frame: None)  # wakes the loop up

    def _wait_for_events(self) -> None:
        by_fd = {w.fd: w for w in self._all_workers() if w.fd is not None}
        timeout = 0.5
        if self.restart_at:
            timeout = max(0.0, min(timeout, min(self.restart_at) - time.monotonic()))
        readable, _, _ = select.select([self._wake_r, *by_fd], [], [], timeout)
        for fd in readable:
            if fd == self._wake_r:
                with contextlib.suppress(BlockingIOError):
                    while os.read(self._wake_r, 512):
                        pass
            else:
                self._read_worker(by_fd[fd])

    # ---- workers ------------------------------------------------------------------
    def _start_generation(self, config: ServiceConfig) -> Generation:
        generation = Generation(config)
        self.last_config = config
        for _ in range(config.workers):
            self._fork(generation)
        self._record(config.generation, "starting")
        return generation

    def _fork(self, generation: Generation) -> int:
        assert self.sock is not None
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the worker
            supervisor = os.getppid()
            os.close(read_fd)
            self._forget_in_child()
            request_fd = self.pipes.request_w if self.pipes is not None else None
            worker_main(
                generation.config,
                self.sock,
                write_fd,
                self.sink_factory,
                supervisor,
                request_fd,
                self.writer_factory,
            )
        os.close(write_fd)
        generation.workers[pid] = Worker(pid, read_fd, generation.number)
        return pid

    def _forget_in_child(self) -> None:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        read_ends = self.pipes.read_ends if self.pipes is not None else []
        for fd in [self._wake_r, self._wake_w, *read_ends, *(w.fd for w in self._all_workers())]:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _all_workers(self) -> list[Worker]:
        found = list(self.retiring.values())
        for generation in (self.serving, self.pending):
            if generation is not None:
                found.extend(generation.workers.values())
        return found

    def _read_worker(self, worker: Worker) -> None:
        if worker.fd is None:
            return
        try:
            chunk = os.read(worker.fd, 65536)
        except OSError:
            chunk = b""
        if not chunk:
            os.close(worker.fd)
            worker.fd = None
            return
        worker.buffer += chunk
        while b"\n" in worker.buffer:
            line, worker.buffer = worker.buffer.split(b"\n", 1)
            self._on_message(worker, json.loads(line))

    def _on_message(self, worker: Worker, message: dict[str, Any]) -> None:
        if message.get("event") == "ready":
            worker.ready = True
            _log(f"worker {worker.pid} ready (generation {worker.generation})")
            if self.serving is not None and worker.pid in self.serving.workers:
                self._retire_replaced(worker.pid)
                self._write_status(self.state)  # a replacement joined
        elif message.get("event") == "stuck":
            self._replace_stuck(worker, int(message.get("stuck", 0)))
        elif message.get("event") == "failed":
            generation = self._generation_of(worker)
            if generation is not None and generation.failure is None:
                generation.failure = {
                    "error": str(message.get("error")),
                    "traceback": str(message.get("traceback") or ""),
                }
            _log(f"worker {worker.pid} failed to start: {message.get('error')}")
            if message.get("traceback"):
                sys.stderr.write(str(message["traceback"]))
                sys.stderr.flush()

    def _replace_stuck(self, worker: Worker, stuck: int) -> None:
        serving = self.serving
        if serving is None or worker.pid not in serving.workers or self.stopping:
            return  # a starting or retiring worker is on its way out anyway
        if worker.replaced_by is not None:
            return  # its replacement is starting
        _log(
            f"worker {worker.pid} has {stuck} run() call(s) still running past the timeout; "
            "starting a worker to take over"
        )
        worker.replaced_by = self._fork(serving)

    def _retire_replaced(self, ready_pid: int) -> None:
        """Drain the stuck worker(s) that the now ready worker ``ready_pid`` replaces."""
        assert self.serving is not None
        for old in list(self.serving.workers.values()):
            if old.replaced_by == ready_pid:
                del self.serving.workers[old.pid]
                self.retiring[old.pid] = old
                self.replaced_stuck += 1
                _signal(old.pid, signal.SIGTERM)
                _log(f"worker {ready_pid} took over; draining stuck worker {old.pid}")

    def _generation_of(self, worker: Worker) -> Generation | None:
        for generation in (self.serving, self.pending):
            if generation is not None and worker.pid in generation.workers:
                return generation
        return None

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self._on_exit(pid, status)

    def _on_exit(self, pid: int, status: int) -> None:
        how = _describe(status)
        if pid == self.writer_pid:
            self._writer_gone(how)
            return
        if self.metrics is not None:
            serving = self.serving is not None and pid in self.serving.workers
            self.metrics.worker_gone(pid, restarted=serving and not self.stopping)
        retired = self.retiring.pop(pid, None)
        if retired is not None:
            self._drain_pipe(retired)
            return
        if self.pending is not None and pid in self.pending.workers:
            self._drain_pipe(self.pending.workers[pid])  # may hold init()'s traceback
            del self.pending.workers[pid]
            if self.pending.failure is None:
                self.pending.failure = {"error": f"a worker {how} while starting", "traceback": ""}
            return
        if self.serving is not None and pid in self.serving.workers:
            self._drain_pipe(self.serving.workers.pop(pid))
            for other in self.serving.workers.values():
                if other.replaced_by == pid:
                    other.replaced_by = None  # its replacement died: the next report retries
            if self.stopping:
                return
            self.restarts += 1
            delay = self._restart_delay()
            _log(f"worker {pid} {how}; starting a new one" + (f" in {delay:g} s" if delay else ""))
            self.restart_at.append(time.monotonic() + delay)
            self._write_status(self.state)

    def _drain_pipe(self, worker: Worker) -> None:
        """Read what the worker wrote before it died (a failure report) and close the pipe."""
        while worker.fd is not None:
            self._read_worker(worker)

    def _restart_delay(self) -> float:
        now = time.monotonic()
        self.crash_times = [t for t in self.crash_times if now - t < 60] + [now]
        crashes = len(self.crash_times)
        return 0.0 if crashes <= 2 else min(RESTART_BACKOFF_MAX_S, 0.5 * 2 ** (crashes - 3))

    def _restart_due_workers(self) -> None:
        now = time.monotonic()
        due = [t for t in self.restart_at if t <= now]
        if not due or self.serving is None:
            return
        self.restart_at = [t for t in self.restart_at if t > now]
        for _ in due:
            if len(self.serving.workers) < self.serving.config.workers:
                self._fork(self.serving)

    # ---- generations --------------------------------------------------------------
    def _settle_pending(self) -> None:
        pending = self.pending
        if pending is None:
            return
        if pending.failure is not None:
            self._abandon(pending)
            return
        if not pending.all_ready:
            return
        old, self.serving, self.pending = self.serving, pending, None
        if old is not None:
            for worker in old.workers.values():
                self.retiring[worker.pid] = worker
                _signal(worker.pid, signal.SIGTERM)
            _log(f"generation {pending.number} serving; generation {old.number} draining")
        self.state = "ready"
        self._record(pending.number, "ready")
        self._write_status("ready")

    def _abandon(self, generation: Generation) -> None:
        for worker in generation.workers.values():
            _signal(worker.pid, signal.SIGKILL)
            self.retiring[worker.pid] = worker
        self.pending = None
        failure = generation.failure or {}
        self._record(generation.number, "failed", **failure)
        if self.serving is None:
            self.state = "failed"
            self._write_status("failed", **failure)
            self._wait_retiring(5.0)
        else:
            _log(f"generation {generation.number} failed; generation {self.serving.number} goes on")
            self._write_status(self.state)

    def _reload(self) -> None:
        self.reload_requested = False
        try:
            config = self.load()
        except Exception as exc:
            _log(f"reload ignored: cannot read the configuration: {exc}")
            return
        if self.pending is not None and config.generation == self.pending.number:
            return  # already starting it
        if self.pending is not None:
            self._abandon_silently(self.pending)
        if self.serving is not None and config.generation == self.serving.number:
            return  # a reload back to what is serving: only the pending one goes
        _log(f"starting generation {config.generation} ({config.workers} worker(s))")
        self.pending = self._start_generation(config)

    def _abandon_silently(self, generation: Generation) -> None:
        for worker in generation.workers.values():
            _signal(worker.pid, signal.SIGKILL)
            self.retiring[worker.pid] = worker
        self._record(generation.number, "failed", error="replaced by a newer generation")
        self.pending = None

    def _stop(self) -> int:
        _log("stopping: draining workers")
        self.state = "stopping"
        self._write_status("stopping")
        for worker in self._all_workers():
            _signal(worker.pid, signal.SIGTERM)
        config = self.last_config
        grace = config.drain_s + config.timeout_s + 5 if config else 10.0
        for generation in (self.serving, self.pending):
            if generation is not None:
                self.retiring.update(generation.workers)
        self.serving = self.pending = None
        self._wait_retiring(grace)
        if self.sock is not None:
            self.sock.close()
        self._write_status("stopped")
        _log("stopped")
        return 0

    def _wait_retiring(self, grace: float) -> None:
        deadline = time.monotonic() + grace
        while self.retiring and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.02)
        for pid in list(self.retiring):
            _signal(pid, signal.SIGKILL)
        while self.retiring:
            try:
                pid, _ = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            self.retiring.pop(pid, None)

    # ---- logs and metrics ---------------------------------------------------------
    def _start_logs(self, config: ServiceConfig) -> None:
        """Fork the log writer and make this process's (and so the workers') output its."""
        if not (config.service_log or config.request_log):
            return
        self.log_config = config
        self.pipes = LogPipes.open(config.service_log, config.request_log)
        self.writer_pid = self._fork_writer()
        if self.pipes.service_w is not None:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(self.pipes.service_w, 1)
            os.dup2(self.pipes.service_w, 2)
            os.close(self.pipes.service_w)
            self.pipes.service_w = None

    def _fork_writer(self) -> int:
        assert self.pipes is not None and self.log_config is not None
        c = self.log_config
        others = [getattr(self, "_wake_r", None), getattr(self, "_wake_w", None)]
        others += [w.fd for w in self._all_workers()]
        if self.sock is not None:
            others.append(self.sock.fileno())
        return fork_writer(
            self.pipes,
            c.service_log,
            c.request_log,
            c.log_max_bytes,
            c.log_backups,
            [fd for fd in others if fd is not None],
        )

    def _writer_gone(self, how: str) -> None:
        self.writer_pid = None
        if not self.stopping:
            self.writer_pid = self._fork_writer()  # on the same pipes: nothing was broken
            _log(f"the log writer {how}; started a new one")

    def _close_logs(self) -> None:
        """End of file for the writer (its last lines written), then wait for it."""
        if self.pipes is None:
            return
        sys.stdout.flush()
        sys.stderr.flush()
        devnull = os.open(os.devnull, os.O_WRONLY)
        if self.log_config is not None and self.log_config.service_log:
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
        os.close(devnull)
        if self.pipes.request_w is not None:
            os.close(self.pipes.request_w)
            self.pipes.request_w = None
        deadline = time.monotonic() + 5.0
        while self.writer_pid is not None and time.monotonic() < deadline:
            try:
                pid, _ = os.waitpid(self.writer_pid, os.WNOHANG)
            except ChildProcessError:
                break
            if pid:
                break
            time.sleep(0.01)
        for fd in self.pipes.read_ends:
            with contextlib.suppress(OSError):
                os.close(fd)

    def _start_metrics(self, config: ServiceConfig) -> None:
        """prometheus-client's shared folder, set before any process of ours imports it."""
        try:
            if importlib.util.find_spec("prometheus_client") is None:
                return
        except (ImportError, ValueError):
            return
        folder = config.metrics_dir
        if folder is None:
            folder = self._temp_metrics_dir = tempfile.mkdtemp(prefix="mlws-metrics-")
        prom.prepare_dir(folder)
        self.metrics = prom.SupervisorMetrics()

    # ---- status -------------------------------------------------------------------
    def _record(self, generation: int, state: str, **details: str) -> None:
        self.generations[str(generation)] = {"state": state, **details}
        for old in sorted(self.generations, key=int)[:-KEPT_GENERATIONS]:
            del self.generations[old]

    def _write_status(self, state: str, **details: str) -> None:
        if self.status_path is None:
            return
        serving = self.serving
        write_json_atomic(
            self.status_path,
            {
                "pid": os.getpid(),
                "port": self.port,
                "state": state,
                "serving_generation": serving.number if serving else None,
                "workers": sorted(serving.workers) if serving else [],
                "restarts": self.restarts,
                "replaced_stuck": self.replaced_stuck,
                "generations": self.generations,
                "updated_ms": int(time.time() * 1000),
                **details,
            },
        )


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            return f"was killed by {signal.Signals(sig).name}"
        except ValueError:
            return f"was killed by signal {sig}"
    return f"exited with code {os.waitstatus_to_exitcode(status)}"


def _host(bind: str) -> str:
    return f"[{bind}]" if ":" in bind else bind


def _log(message: str) -> None:
    print(f"[mlws] {message}", flush=True)
