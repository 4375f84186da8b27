"""The local agent: an optional, detached helper that keeps warm processes for ``local``.

There is no daemon on ``local`` (DESIGN §4): a run is started by whoever submits it or
by the runner that frees its slot. For speed, the first run that names a warm spec
also starts this agent, in the background; from then on ``LocalTarget.dispatch`` hands
such runs to it over a Unix socket, and it executes each in a thread (the same ``Job``
as ``python -m jupyter_mlws.compute.job``) with a process taken from its ``WarmPool``.
When the agent is absent, busy starting, or gone, runs take the cold path and still
work. It exits after ``MLWS_AGENT_IDLE_SECONDS`` (default 600) without runs, or as
soon as its workspace folder is gone.

Background tasks: while it lives, the agent also runs the tasks that packages declare
under the ``jupyter_mlws.agent_tasks`` entry point group (a factory ``f(ws)`` returning
``task(stop: threading.Event)``), each in a thread until the agent stops. Ours is the
scheduler pass (``services.schedules.agent_task``), so schedules fire on a machine where
no Jupyter server runs; a due time still fires once however many schedulers run, as
``store.claim_firing`` decides. A task that cannot be loaded is logged and skipped.

Pool size: ``MLWS_WARM_POOL_SIZE`` processes per warm spec (default 1; 0 disables the
agent and the pool), read by the submitting process and by the agent.

Who may talk to it: only its own user. The socket is a file, ``runs/agent.sock``,
inside the workspace folder (0700, see ``permissions``) with mode 0600, so the kernel
refuses anyone else before a byte is read; the agent also checks each peer's uid
(``SO_PEERCRED``), so opening up the folder's mode does not open up the agent. A lock
file beside it makes sure one agent serves a workspace, and lets a new agent remove
the socket file of one that died.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.metadata
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from jupyter_mlws.compute.job import execute
from jupyter_mlws.compute.process import spawn_detached
from jupyter_mlws.compute.warm_pool import WarmPool
from jupyter_mlws.config import ENV_RUN_ID, ENV_WORKSPACE
from jupyter_mlws.processes import process_alive
from jupyter_mlws.tracking import Workspace

ENV_POOL_SIZE = "MLWS_WARM_POOL_SIZE"
ENV_IDLE = "MLWS_AGENT_IDLE_SECONDS"
CONNECT_TIMEOUT_S = 2.0
TASKS_GROUP = "jupyter_mlws.agent_tasks"
BackgroundTask = Callable[[threading.Event], None]


def pool_size() -> int:
    try:
        return max(0, int(os.environ.get(ENV_POOL_SIZE, "1")))
    except ValueError:
        return 1


SOCKET_NAME = "agent.sock"
LOCK_NAME = "agent.lock"
_MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux, NUL included


def address(ws: Workspace) -> Path:
    """The agent's socket file, inside the private ``runs/`` folder of the workspace."""
    return ws.runs_dir / SOCKET_NAME


@contextlib.contextmanager
def _reachable(path: Path) -> Iterator[str]:
    """A name for ``path`` short enough for a Unix socket address.

    A deep workspace folder gives a path over the 108-byte limit; its folder opened as
    a descriptor and named through ``/proc/self/fd`` reaches the same file.
    """
    if len(os.fsencode(path)) <= _MAX_SOCKET_PATH:
        yield str(path)
        return
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield f"/proc/self/fd/{fd}/{path.name}"
    finally:
        os.close(fd)


def request(ws: Workspace, message: dict[str, Any]) -> dict[str, Any] | None:
    """Send one request; None when no agent answers."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        with (
            _reachable(address(ws)) as name,
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock,
        ):
            sock.settimeout(CONNECT_TIMEOUT_S)
            sock.connect(name)
            sock.sendall(json.dumps(message).encode() + b"\n")
            reply = sock.makefile("rb").readline()
    except OSError:
        return None
    return json.loads(reply) if reply else None


def peer_uid(conn: socket.socket) -> int:
    """The uid of the process at the other end of a Unix socket (from the kernel)."""
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


def hand_over(ws: Workspace, run_ids: Sequence[str]) -> list[str]:
    """Run ids the agent accepted (it executes them); the rest are the caller's."""
    if not run_ids:
        return []
    reply = request(ws, {"op": "run", "run_ids": list(run_ids)})
    return list(reply.get("accepted", [])) if reply else []


def start(ws: Workspace, specs: Sequence[Sequence[str]]) -> None:
    """Start the agent in the background, warming ``specs`` (a second one exits at once)."""
    env = {**os.environ, ENV_WORKSPACE: str(ws.root)}
    env.pop(ENV_RUN_ID, None)
    spawn_detached(
        [sys.executable, "-m", "jupyter_mlws.compute.local_agent", json.dumps(list(specs))],
        env=env,
        log_path=ws.runs_dir / "agent.log",
    )


def stop(ws: Workspace, timeout: float = 30.0) -> bool:
    """Ask the agent to exit and wait for it; False when none was running."""
    reply = request(ws, {"op": "stop"})
    if reply is None:
        return False
    pid = int(reply.get("pid", 0))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process_alive(pid):
        time.sleep(0.05)
    return True


def status(ws: Workspace) -> dict[str, Any] | None:
    return request(ws, {"op": "status"})


class Agent:
    def __init__(self, ws: Workspace, specs: Sequence[Sequence[str]]) -> None:
        self.ws = ws
        self.pool = WarmPool(pool_size(), ws.runs_dir / "warm")
        for spec in specs:
            self.pool.want(spec)
        self.idle_seconds = float(os.environ.get(ENV_IDLE, "600"))
        self.active: set[str] = set()
        self.lock = threading.Lock()
        self.last_activity = time.monotonic()
        self.stopping = threading.Event()

    def serve(self, server: socket.socket) -> None:
        tasks = self._start_tasks()
        try:
            self._accept(server)
        finally:
            self.stopping.set()
            for thread in tasks:
                thread.join(30)  # a tick under way finishes

    def _start_tasks(self) -> list[threading.Thread]:
        threads = []
        for name, task in background_tasks(self.ws):
            thread = threading.Thread(
                target=self._task, args=(name, task), name=f"mlws-agent-{name}", daemon=True
            )
            thread.start()
            threads.append(thread)
        return threads

    def _task(self, name: str, task: BackgroundTask) -> None:
        try:
            task(self.stopping)
        except Exception as exc:  # a broken task must not take the runs down
            print(f"[mlws-agent] task {name}: {type(exc).__name__}: {exc}", flush=True)

    def _accept(self, server: socket.socket) -> None:
        server.settimeout(0.5)
        while not self.stopping.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                if self._idle():
                    break
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()
        server.close()
        self.pool.close()
        self._wait_for_runs()

    def _idle(self) -> bool:
        with self.lock:
            busy = bool(self.active)
        if busy:
            self.last_activity = time.monotonic()
        elif not self.ws.root.is_dir():  # its workspace was deleted (a temporary one)
            return True
        return time.monotonic() - self.last_activity > self.idle_seconds

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            if peer_uid(conn) != os.geteuid():
                return  # another user: closed without a word (the file mode should stop them)
            conn.settimeout(CONNECT_TIMEOUT_S)
            line = conn.makefile("rb").readline()
            self.last_activity = time.monotonic()
            try:
                message = json.loads(line)
                reply = self._answer(message)
            except Exception as exc:  # a bad request must not take the agent down
                reply = {"error": str(exc)}
            conn.sendall(json.dumps(reply).encode() + b"\n")

    def _answer(self, message: dict[str, Any]) -> dict[str, Any]:
        op = message.get("op")
        if op == "run":
            if self.stopping.is_set():
                return {"accepted": []}
            ids = [str(r) for r in message.get("run_ids", [])]
            for run_id in ids:
                with self.lock:
                    self.active.add(run_id)
                threading.Thread(target=self._run, args=(run_id,), daemon=True).start()
            return {"accepted": ids}
        if op == "stop":
            self.stopping.set()
            return {"pid": os.getpid()}
        if op == "status":
            with self.lock:
                active = sorted(self.active)
            ready = {" ".join(s): n for s, n in self.pool.counts().items()}
            return {"pid": os.getpid(), "active": active, "warm_ready": ready}
        return {"error": f"unknown op {op!r}"}

    def _run(self, run_id: str) -> None:
        try:
            execute(self.ws, run_id, launcher=self.pool.launch)
        except Exception as exc:  # the run's record says what happened; keep serving
            print(f"[mlws-agent] run {run_id}: {type(exc).__name__}: {exc}", flush=True)
        finally:
            with self.lock:
                self.active.discard(run_id)
            self.last_activity = time.monotonic()

    def _wait_for_runs(self) -> None:
        while True:
            with self.lock:
                if not self.active:
                    return
            time.sleep(0.1)


def background_tasks(ws: Workspace) -> list[tuple[str, BackgroundTask]]:
    """The declared background tasks, made for ``ws`` (see the module's docstring)."""
    tasks = []
    for entry in importlib.metadata.entry_points(group=TASKS_GROUP):
        try:
            tasks.append((entry.name, entry.load()(ws)))
        except Exception as exc:
            print(f"[mlws-agent] task {entry.name}: {type(exc).__name__}: {exc}", flush=True)
    return tasks


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    specs = json.loads(args[0]) if args else []
    ws = Workspace.open(Path(os.environ[ENV_WORKSPACE]))
    lock = _take_lock(ws)
    if lock is None:
        return 0  # another agent serves this workspace
    try:
        server = _listen(ws)
        agent = Agent(ws, specs)
        signal.signal(signal.SIGTERM, lambda *_: agent.stopping.set())
        agent.serve(server)
    finally:
        address(ws).unlink(missing_ok=True)
        os.close(lock)
    return 0


def _take_lock(ws: Workspace) -> int | None:
    """Hold ``runs/agent.lock`` for the agent's life; None when another agent holds it."""
    fd = ws.modes.create_file(ws.runs_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _listen(ws: Workspace) -> socket.socket:
    path = address(ws)
    path.unlink(missing_ok=True)  # left by an agent that died: we hold the lock now
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        with _reachable(path) as name:
            server.bind(name)
        os.chmod(path, 0o600)  # owner only, even in a group-shared workspace
        server.listen(64)
    except BaseException:
        server.close()
        raise
    return server


if __name__ == "__main__":
    sys.exit(main())
