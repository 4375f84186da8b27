"""Warm processes: commands started ahead of time, each handed exactly one run.

A run definition may name a *warm spec*, an argv such as ``["{python}", "-m",
"jupyter_mlws.notebooks.warm", "--kernel", "python3"]``. A ``WarmPool`` keeps ``size``
processes of each spec it has been asked for running, in their own process group (like
any run's command), with pipes on stdin/stdout/stderr. The protocol:

1. the process writes ``READY_LINE`` on stdout once it can take a run;
2. the pool writes one JSON line on its stdin, ``{"argv", "cwd", "env"}`` (the command
   the runner would otherwise have started), and closes stdin;
3. from then on the process *is* that run's command: the runner pumps its output into
   the run's log, and cancels it by killing its group, exactly as a cold start.

A process is used once and never returned; the pool refills in the background. The
pool is only a speed-up: when nothing is ready, the runner starts the command cold.
All processes are started from the pool's own long-lived thread, because the
parent-death signal of ``start_group`` fires when the *thread* that forked them ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from jupyter_mlws.compute.process import kill_group, start_group
from jupyter_mlws.permissions import AccessModes

READY_LINE = b"mlws-warm-ready\n"
Spec = tuple[str, ...]


def resolve(argv: Sequence[str]) -> list[str]:
    return [sys.executable if a == "{python}" else str(a) for a in argv]


class _Warm:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.ready = threading.Event()
        self.failed = False

    def wait_ready(self) -> None:
        """Read stdout byte by byte up to the ready line (nothing after it is consumed)."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        seen = b""
        while not seen.endswith(READY_LINE):
            byte = os.read(fd, 1)
            if not byte:
                self.failed = True
                return
            seen = (seen + byte)[-len(READY_LINE) :]
        self.ready.set()

    @property
    def usable(self) -> bool:
        return self.ready.is_set() and not self.failed and self.proc.poll() is None


class WarmPool:
    def __init__(self, size: int, folder: Path, env: Mapping[str, str] | None = None) -> None:
        self.size = max(0, int(size))
        self.folder = folder
        self.env = dict(os.environ if env is None else env)
        self.env.pop("MLWS_RUN_ID", None)
        self._entries: dict[Spec, list[_Warm]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None

    # ---- the runner's side ------------------------------------------------------------
    def want(self, spec: Sequence[str]) -> None:
        """Keep ``size`` processes of this spec ready from now on."""
        if self.size == 0:
            return
        with self._lock:
            self._entries.setdefault(tuple(spec), [])
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._refill, name="mlws-warm-pool", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def launch(
        self, spec: Sequence[str], argv: Sequence[str], cwd: Path, env: Mapping[str, str]
    ) -> subprocess.Popen[bytes] | None:
        """A ready process of ``spec`` now running ``argv``, or None (start it cold)."""
        self.want(spec)
        warm = self._take(tuple(spec))
        if warm is None:
            return None
        assert warm.proc.stdin is not None
        job = {"argv": resolve(argv), "cwd": str(cwd), "env": dict(env)}
        try:
            warm.proc.stdin.write(json.dumps(job).encode() + b"\n")
            warm.proc.stdin.close()
        except OSError:  # it died after the check: start cold rather than fail the run
            kill_group(warm.proc)
            return None
        return warm.proc

    def _take(self, spec: Spec) -> _Warm | None:
        with self._lock:
            entries = self._entries.get(spec, [])
            for warm in entries:
                if warm.usable:
                    entries.remove(warm)
                    self._wake.set()
                    return warm
        return None

    def counts(self) -> dict[Spec, int]:
        """How many processes of each spec are ready now."""
        with self._lock:
            return {spec: sum(w.usable for w in ws) for spec, ws in self._entries.items()}

    # ---- the pool's thread -------------------------------------------------------------
    def _refill(self) -> None:
        while not self._closed:
            self._wake.wait(1.0)
            self._wake.clear()
            if self._closed:
                break
            with self._lock:
                for entries in self._entries.values():
                    entries[:] = [w for w in entries if not w.failed and w.proc.poll() is None]
                missing = [
                    spec
                    for spec, entries in self._entries.items()
                    for _ in range(self.size - len(entries))
                ]
            for spec in missing:
                warm = self._start(spec)
                if warm is not None:
                    with self._lock:
                        self._entries[spec].append(warm)
        self._stop_all()

    def _start(self, spec: Spec) -> _Warm | None:
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        AccessModes.like(self.folder.parent).make_dir(self.folder)
        try:
            proc = start_group(
                resolve(spec),
                cwd=self.folder,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin_pipe=True,
            )
        except OSError:
            return None
        warm = _Warm(proc)
        threading.Thread(target=warm.wait_ready, name="mlws-warm-ready", daemon=True).start()
        return warm

    def close(self) -> None:
        """Stop the unused processes (a process already handed a run is the runner's)."""
        self._closed = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(30)
        else:
            self._stop_all()

    def _stop_all(self) -> None:
        with self._lock:
            entries = [w for ws in self._entries.values() for w in ws]
            self._entries.clear()
        for warm in entries:
            if warm.proc.stdin is not None:
                with contextlib.suppress(OSError):
                    warm.proc.stdin.close()  # "not needed": it exits by itself
        for warm in entries:
            try:
                warm.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                kill_group(warm.proc)
            for stream in (warm.proc.stdout, warm.proc.stderr):
                if stream is not None:
                    stream.close()
