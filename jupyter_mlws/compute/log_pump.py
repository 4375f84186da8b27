"""Streams a child's stdout/stderr into the run's log in the store, live."""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Iterable
from typing import IO

from jupyter_mlws.compute.redact import Redactor
from jupyter_mlws.store import SqlStore
from jupyter_mlws.tracking.log_writer import LogWriter

TAIL_BYTES = 64 * 1024
# How long an unfinished line waits for its end before it is stored as it is: a prompt
# or a progress bar redrawn with "\r" must still show up live.
LINE_WAIT = 0.2


class LogPump:
    """Reader threads feed one ``LogWriter``, which stores the log every 250 ms.

    stdout and stderr interleave into one log as they arrive (Azure's ``std_log.txt``),
    a whole line at a time: an unbuffered ``print("a", x)`` is several writes, and a
    traceback on stderr must not land between them. The stderr tail is kept to extract
    the traceback of a failed run.
    """

    def __init__(
        self,
        store: SqlStore,
        run_id: str,
        name: str,
        offset: int = 0,
        line_wait: float = LINE_WAIT,
    ) -> None:
        self.line_wait = line_wait
        self.writer = LogWriter(store, run_id, name, offset)
        self.stderr_tail = bytearray()
        self._readers: list[threading.Thread] = []
        self._secrets: list[str] = []

    def redact(self, values: Iterable[str]) -> None:
        """Mask these values (a run's secrets) in everything stored from now on."""
        self._secrets = [v for v in values if v]

    def attach(self, stream: IO[bytes], is_stderr: bool = False) -> None:
        thread = threading.Thread(target=self._read, args=(stream, is_stderr), daemon=True)
        self._readers.append(thread)
        thread.start()
        self.writer.start()

    def write(self, data: bytes) -> None:
        self.writer.append(data)

    def flush(self) -> None:
        self.writer.flush()

    def _read(self, stream: IO[bytes], is_stderr: bool) -> None:
        fd = stream.fileno()
        redactor = Redactor(self._secrets)
        unfinished = b""
        while True:
            if unfinished and not select.select([fd], [], [], self.line_wait)[0]:
                self._keep(unfinished, is_stderr)
                unfinished = b""
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data = unfinished + redactor.feed(chunk)
            end = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
            self._keep(data[:end], is_stderr)
            unfinished = data[end:]
        self._keep(unfinished + redactor.finish(), is_stderr)
        stream.close()

    def _keep(self, chunk: bytes, is_stderr: bool) -> None:
        if not chunk:
            return
        self.writer.append(chunk)
        if is_stderr:
            self.stderr_tail += chunk
            del self.stderr_tail[:-TAIL_BYTES]

    def close(self, timeout: float = 10.0) -> None:
        for thread in self._readers:
            thread.join(timeout)
        self.writer.close(timeout)


def extract_traceback(stderr_tail: bytes) -> str | None:
    """The last Python traceback in the stderr tail, if there is one."""
    text = stderr_tail.decode("utf-8", errors="replace")
    start = text.rfind("Traceback (most recent call last):")
    return text[start:].strip() if start >= 0 else None
