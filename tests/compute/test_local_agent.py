"""The local agent answers its own user only: a second local user is refused."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import wait_until

from jupyter_mlws.compute import local_agent
from jupyter_mlws.tracking import Workspace

# Run by the other user: stdlib only, with the interpreter itself (the venv of the
# tests may not be readable by them). It tries what any local user could try.
CLIENT = r"""
import os, socket, sys
path = sys.argv[1]
try:
    fd = os.open(os.path.dirname(path), os.O_RDONLY | os.O_DIRECTORY)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(10)
    sock.connect(f"/proc/self/fd/{fd}/{os.path.basename(path)}")
except OSError as exc:
    sys.exit(print(f"refused: {type(exc).__name__}"))
try:
    sock.sendall(b'{"op": "status"}\n')
    reply = sock.makefile("rb").readline()
except OSError:
    reply = b""
print("answered" if reply else "refused: hung up")
"""


def other_user() -> pwd.struct_passwd:
    if os.geteuid() != 0:
        pytest.skip("needs root to act as a second local user (setuid)")
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no 'nobody' user to act as a second local user")


def _becomes(user: pwd.struct_passwd | None) -> Callable[[], None]:
    def become() -> None:
        if user is not None:
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)

    return become


def _interpreter_for(user: pwd.struct_passwd | None) -> str:
    """A Python the user may run (ours may sit in root's home, unreadable to them)."""
    for candidate in (
        os.path.realpath(sys.executable),
        "/usr/bin/python3",
        "/usr/local/bin/python3",
    ):
        try:
            subprocess.run(
                [candidate, "-I", "-S", "-c", "pass"],
                preexec_fn=_becomes(user),
                check=True,
                capture_output=True,
                timeout=60,
                cwd="/",
            )
        except (OSError, subprocess.CalledProcessError):
            continue
        return candidate
    pytest.skip(f"no Python interpreter that {user and user.pw_name} may run")


def connect_as(user: pwd.struct_passwd | None, socket_path: Path) -> str:
    proc = subprocess.run(
        [_interpreter_for(user), "-I", "-S", "-c", CLIENT, str(socket_path)],
        preexec_fn=_becomes(user),
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.fixture
def agent_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv(local_agent.ENV_POOL_SIZE, "1")
    ws = Workspace.init(tmp_path / "proj")
    local_agent.start(ws, [])
    wait_until(lambda: local_agent.status(ws) is not None)
    yield ws
    local_agent.stop(ws)


def test_the_agent_socket_is_a_private_file_in_the_workspace(agent_ws: Workspace) -> None:
    path = local_agent.address(agent_ws)
    assert path.is_socket() and path.parent == agent_ws.runs_dir
    assert path.stat().st_mode & 0o777 == 0o600
    assert connect_as(None, path) == "answered"  # its own user gets an answer


def test_a_second_user_is_refused(agent_ws: Workspace) -> None:
    nobody = other_user()
    assert connect_as(nobody, local_agent.address(agent_ws)).startswith("refused")


def test_a_second_user_is_refused_even_when_the_folders_are_opened_up(
    agent_ws: Workspace,
) -> None:
    nobody = other_user()
    path = local_agent.address(agent_ws)
    for folder in [agent_ws.root, agent_ws.runs_dir]:
        folder.chmod(0o755)
    path.chmod(0o777)  # a careless chmod -R: the agent still checks who is calling
    walk_up = {p: p.stat().st_mode for p in path.parents if p.stat().st_mode & 0o005 != 0o005}
    try:
        for folder, mode in walk_up.items():
            folder.chmod(mode | 0o005)
        answer = connect_as(nobody, path)
    finally:
        for folder, mode in walk_up.items():
            folder.chmod(mode)
    # It reached the agent this time (no PermissionError), which hung up on it.
    assert answer == "refused: hung up"
    assert local_agent.status(agent_ws) is not None  # and keeps serving its owner


def test_a_new_agent_replaces_the_socket_of_one_that_died(agent_ws: Workspace) -> None:
    import signal

    pid = int((local_agent.status(agent_ws) or {})["pid"])
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: local_agent.status(agent_ws) is None)
    assert local_agent.address(agent_ws).exists()  # the dead agent's file is still there
    local_agent.start(agent_ws, [])
    wait_until(lambda: local_agent.status(agent_ws) is not None)
    assert int((local_agent.status(agent_ws) or {})["pid"]) != pid
