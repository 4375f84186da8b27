"""One worker process: loads ``score.py`` and serves the shared listening socket.

Forked by the supervisor. It reports ``ready`` (or ``failed`` with ``init()``'s
traceback) on a pipe, and ``stuck`` when so many ``run()`` calls outlived their timeout
that it should be replaced. SIGTERM drains it: it stops accepting, answers with
``Connection: close`` so keep-alive clients move to the other workers, and exits once
its connections are gone (or after ``drain_s``).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from types import FrameType
from typing import Any, NoReturn

import uvicorn

from . import prom, v1_contract
from .app import ServiceState, build_app
from .collector import DataCollector, Writer
from .config import ServiceConfig
from .keys import KeyRing
from .requestlog import RequestLog
from .scoring import ScriptError, load_scorer
from .telemetry import Sink, Telemetry

SinkFactory = Callable[[ServiceConfig], Sink]
WriterFactory = Callable[[ServiceConfig], Writer]
_PR_SET_PDEATHSIG = 1


def worker_main(
    config: ServiceConfig,
    sock: socket.socket,
    report_fd: int,
    sink_factory: SinkFactory | None,
    supervisor_pid: int,
    request_log_fd: int | None = None,
    writer_factory: WriterFactory | None = None,
) -> NoReturn:
    """Never returns: the forked child ends with ``os._exit``."""
    code = 1
    try:
        _die_with(supervisor_pid)
        code = _serve(config, sock, report_fd, sink_factory, request_log_fd, writer_factory)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _serve(
    config: ServiceConfig,
    sock: socket.socket,
    report_fd: int,
    sink_factory: SinkFactory | None,
    request_log_fd: int | None,
    writer_factory: WriterFactory | None = None,
) -> int:
    def replace_me(stuck: int) -> None:
        _report(report_fd, {"event": "stuck", "pid": os.getpid(), "stuck": stuck})

    try:
        scorer = load_scorer(config, on_stuck=replace_me)
    except ScriptError as exc:
        _report(report_fd, {"event": "failed", "error": exc.message, "traceback": exc.traceback})
        return 3
    telemetry = Telemetry()
    stop_telemetry = (
        telemetry.start_flusher(sink_factory(config), config.telemetry_interval_s)
        if sink_factory is not None
        else None
    )
    state = ServiceState()
    keys = KeyRing(config.keys_file) if config.auth else None
    request_log = (
        RequestLog(request_log_fd, _static_fields(config)) if request_log_fd is not None else None
    )
    metrics = prom.ServiceMetrics() if os.environ.get(prom.ENV_DIR) else None
    collector = _collector(config, writer_factory, metrics is not None)
    app = build_app(config, scorer, keys, telemetry, state, request_log, metrics, collector)
    if config.extras.get("contract") == v1_contract.CONTRACT:
        v1_contract.adapt(app)
    server = WorkerServer(
        uvicorn.Config(
            app,
            lifespan="off",
            access_log=False,
            log_level="warning",
            server_header=False,
            timeout_keep_alive=30,
            timeout_graceful_shutdown=int(config.timeout_s + 5),
        ),
        state,
        config.drain_s,
        lambda: _report(report_fd, {"event": "ready", "pid": os.getpid()}),
    )
    server.run(sockets=[sock])
    if stop_telemetry is not None:
        stop_telemetry()
    if request_log is not None:
        request_log.close()
    if collector is not None:
        collector.close()  # after the last request: a graceful stop writes everything
    return 0


def _collector(
    config: ServiceConfig, writer_factory: WriterFactory | None, with_metrics: bool
) -> DataCollector | None:
    settings = config.extras.get("data_collection")
    if not settings or writer_factory is None:
        return None
    static = {
        "endpoint": config.name,
        "generation": config.generation,
        "models": [m.name if m.version is None else f"{m.name}:{m.version}" for m in config.models],
    }
    metrics = prom.CollectionMetrics() if with_metrics else None
    return DataCollector(settings, static, writer_factory(config), metrics)


def _static_fields(config: ServiceConfig) -> dict[str, Any]:
    """What every request line of this worker says about the deployment."""
    return {
        "endpoint": config.name,
        "generation": config.generation,
        "models": [m.name if m.version is None else f"{m.name}:{m.version}" for m in config.models],
        "worker": os.getpid(),
    }


class WorkerServer(uvicorn.Server):
    def __init__(
        self,
        config: uvicorn.Config,
        state: ServiceState,
        drain_s: float,
        on_started: Callable[[], None],
    ) -> None:
        super().__init__(config)
        self.state = state
        self.drain_s = drain_s
        self._on_started = on_started
        self._loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self._loop = asyncio.get_running_loop()
        if not self.should_exit:
            self._on_started()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Not re-raised after shutdown (uvicorn's default): the supervisor asked for it.
        if sig == signal.SIGTERM and not self.state.draining and self._loop is not None:
            self.state.draining = True
            self._loop.call_soon_threadsafe(self._drain)
        elif self.should_exit:
            self.force_exit = True
        else:
            self.should_exit = True

    def _drain(self) -> None:
        assert self._loop is not None
        loop = self._loop
        for server in self.servers:
            server.close()  # this process stops accepting; the others keep the socket
        deadline = loop.time() + self.drain_s

        def check() -> None:
            if not self.server_state.connections or loop.time() >= deadline:
                self.should_exit = True
            else:
                loop.call_later(0.05, check)

        check()


def _report(fd: int, message: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        os.write(fd, (json.dumps(message) + "\n").encode())


def _die_with(supervisor_pid: int) -> None:
    """SIGTERM (a drain) when the supervisor dies, so no worker outlives it."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != supervisor_pid:
        os._exit(1)
