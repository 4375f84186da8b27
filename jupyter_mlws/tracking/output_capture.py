"""Teeing this process's stdout/stderr into a run's log while still showing them.

Interactive runs (``%%run --inline``) print into the notebook as usual; the same text
also lands in the run's ``std_log.txt`` in the store, so the run's log reads the same
as a submitted run's. Writes only append to a buffer: a daemon thread stores it in
chunks, so a chatty loop never waits on the database.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from jupyter_mlws.tracking.log_writer import LogWriter
from jupyter_mlws.tracking.run import LOG_NAME, Run


class LogSink(LogWriter):
    """A ``LogWriter`` for text: one of a run's logs, stored from a background thread."""

    def __init__(self, run: Run, name: str = LOG_NAME) -> None:
        store = run.workspace.store
        super().__init__(store, run.id, name, store.log_size(run.id, name))
        self.start()

    def write(self, text: str) -> None:
        self.append(text.encode("utf-8", errors="replace"))

    def close(self, timeout: float = 5.0) -> None:
        super().close(timeout)


class TeeStream:
    """A text stream that writes to ``stream`` and copies every write into ``sink``.

    Everything else (``fileno``, ``encoding``, ipykernel's extras) is the wrapped
    stream's, so code that inspects ``sys.stdout`` still sees what it expects.
    """

    def __init__(self, stream: TextIO, sink: LogSink) -> None:
        self._stream = stream
        self._sink = sink

    def write(self, text: str) -> int:
        self._sink.write(text)
        return self._stream.write(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def capture_output(run: Run) -> Iterator[LogSink]:
    """Inside the block, ``print`` and tracebacks written to stderr also go to the log."""
    sink = LogSink(run)
    out, err = sys.stdout, sys.stderr
    sys.stdout = TeeStream(out, sink)
    sys.stderr = TeeStream(err, sink)
    try:
        yield sink
    finally:
        if isinstance(sys.stdout, TeeStream) and sys.stdout._sink is sink:
            sys.stdout = out
        if isinstance(sys.stderr, TeeStream) and sys.stderr._sink is sink:
            sys.stderr = err
        sink.close()
