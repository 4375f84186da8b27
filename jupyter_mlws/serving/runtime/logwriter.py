"""The service's one log writer: a process forked by the supervisor that owns the files.

Everything the supervisor, its workers and ``score.py`` print (their stdout and stderr
are a pipe to it) goes to ``service.log``, and the workers' request lines (another pipe)
to the request log; each file is rotated by size with the standard library's
``RotatingFileHandler`` (``NAME.1`` … ``NAME.N`` kept). One writer for all processes is
what makes size rotation safe: handlers in several processes would each rotate the
file under the others.

The supervisor keeps its own copy of both pipes' read ends, so a writer that dies
never turns a ``print`` into a broken pipe: the supervisor forks a new one on them.
The writer ignores SIGTERM/SIGINT/SIGHUP and ends when every writer of its pipes has
gone (end of file on both), so the service's last words are written.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import select
import signal
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_BACKUPS = 5
_PARTIAL_LIMIT = 64 * 1024


@dataclass
class LogPipes:
    """Read and write ends of the service-log pipe and the request-log pipe."""

    service_r: int | None
    service_w: int | None
    request_r: int | None
    request_w: int | None

    @classmethod
    def open(cls, service_log: str | None, request_log: str | None) -> LogPipes:
        service = os.pipe() if service_log else (None, None)
        request = os.pipe() if request_log else (None, None)
        return cls(service[0], service[1], request[0], request[1])

    @property
    def read_ends(self) -> list[int]:
        return [fd for fd in (self.service_r, self.request_r) if fd is not None]

    @property
    def write_ends(self) -> list[int]:
        return [fd for fd in (self.service_w, self.request_w) if fd is not None]


def fork_writer(
    pipes: LogPipes,
    service_log: str | None,
    request_log: str | None,
    max_bytes: int,
    backups: int,
    close_in_child: list[int],
) -> int:
    """Fork the writer; returns its pid (the child never returns)."""
    pid = os.fork()
    if pid != 0:
        return pid
    code = 0
    try:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        signal.set_wakeup_fd(-1)
        os.umask(0o077)  # the logs (and their rotated copies) are the owner's only
        logging.raiseExceptions = False  # a full disk loses lines, never the writer
        for fd in [*pipes.write_ends, *close_in_child]:
            with contextlib.suppress(OSError):
                os.close(fd)
        devnull = os.open(os.devnull, os.O_RDWR)  # stdout may be our own pipe: no EOF then
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        sinks = {}
        if pipes.service_r is not None and service_log:
            sinks[pipes.service_r] = _handler(service_log, max_bytes, backups)
        if pipes.request_r is not None and request_log:
            sinks[pipes.request_r] = _handler(request_log, max_bytes, backups)
        pump(sinks)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def pump(sinks: dict[int, logging.Handler]) -> None:
    """Copy complete lines from each fd to its handler until every fd is at its end."""
    partial = {fd: b"" for fd in sinks}
    open_fds = set(sinks)
    while open_fds:
        readable, _, _ = select.select(list(open_fds), [], [])
        for fd in readable:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            buffer = partial[fd] + chunk
            if not chunk:
                open_fds.discard(fd)
                lines, buffer = ([buffer] if buffer else []), b""
            else:
                *lines, buffer = buffer.split(b"\n")
                if len(buffer) > _PARTIAL_LIMIT:  # a very long line without an end
                    lines.append(buffer)
                    buffer = b""
            partial[fd] = buffer
            for line in lines:
                _emit(sinks[fd], line)
    for handler in sinks.values():
        handler.close()


def _handler(path: str, max_bytes: int, backups: int) -> logging.Handler:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    return handler


def _emit(handler: logging.Handler, line: bytes) -> None:
    record = logging.LogRecord(
        "mlws", logging.INFO, "", 0, line.decode("utf-8", "replace"), None, None
    )
    handler.handle(record)
