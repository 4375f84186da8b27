"""A real ``jupyter server`` process with the mlws extension, for black-box clients."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LiveServer:
    url: str  # http://127.0.0.1:PORT
    token: str
    root_dir: Path

    @property
    def api(self) -> str:
        return f"{self.url}/mlws/api/v1"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(
    workspace: Path,
    base: Path,
    timeout_s: float = 180,
    mlws_settings: dict[str, object] | None = None,
    base_url: str = "/",
) -> Iterator[LiveServer]:
    """Start ``jupyter server`` on a free port with an isolated Jupyter config
    (``mlws_settings``: more ``MlwsApp`` options; ``base_url``: the server's prefix,
    included in ``LiveServer.url``)."""
    root = base / "root"
    config_dir = base / "jupyter-config"
    for folder in (root, config_dir):
        folder.mkdir(parents=True, exist_ok=True)
    token = os.urandom(12).hex()
    port = free_port()
    config = {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_mlws.server": True},
            "token": token,
            "port": port,
            "port_retries": 0,
            "ip": "127.0.0.1",
            "open_browser": False,
            "root_dir": str(root),
            "allow_root": True,
            "base_url": base_url,
        },
        "MlwsApp": {"workspace": str(workspace), **(mlws_settings or {})},
    }
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(config))
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config_dir),
        "JUPYTER_DATA_DIR": str(base / "jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(base / "jupyter-runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    log = open(base / "server.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    server = LiveServer(f"http://127.0.0.1:{port}{base_url.rstrip('/')}", token, root)
    try:
        _wait_ready(server, proc, timeout_s, base / "server.log")
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _wait_ready(
    server: LiveServer, proc: subprocess.Popen[bytes], timeout_s: float, log: Path
) -> None:
    deadline = time.monotonic() + timeout_s
    request = urllib.request.Request(f"{server.api}/workspace", headers=server.headers)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(request, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"jupyter server did not answer in {timeout_s}s:\n{log.read_text()}")
