"""A run made from a notebook served by Jupyter records that notebook's path.

A real ``jupyter server`` starts the kernel for a notebook session; the cell runs in
that kernel, which finds its notebook through the server's sessions API.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.blocking import BlockingKernelClient

from jupyter_mlws import Workspace
from jupyter_mlws.magics.notebook_path import notebook_path_for_kernel, running_servers

TOKEN = "mlws-test-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _api(url: str, method: str = "GET", body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"token {TOKEN}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=120) as response:  # starts a kernel
        return json.loads(response.read() or b"null")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[dict[str, Any]]:
    root = tmp_path / "server-root"
    (root / "project").mkdir(parents=True)
    runtime = tmp_path / "runtime"
    os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)  # the kernel looks for servers here
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}",
            "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", "--allow-root",
            f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                _api(url + "api/status")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("jupyter server did not start")
                time.sleep(0.1)
        yield {"url": url, "token": TOKEN, "root_dir": str(root), "runtime": runtime}
    finally:
        proc.terminate()
        proc.wait(60)
        os.environ.pop("JUPYTER_RUNTIME_DIR", None)


@pytest.mark.timeout(900)  # a kernel start and two runs on a loaded machine
def test_inline_and_submitted_runs_record_the_notebook(server: dict[str, Any]) -> None:
    session = _api(
        server["url"] + "api/sessions",
        "POST",
        {"path": "project/train.ipynb", "type": "notebook", "kernel": {"name": "python3"}},
    )
    kernel_id = session["kernel"]["id"]
    notebook = Path(server["root_dir"]) / "project" / "train.ipynb"
    assert notebook_path_for_kernel(kernel_id, [server]) == notebook
    assert any(
        s["port"] == int(server["url"].rsplit(":", 1)[1].strip("/")) for s in running_servers()
    )

    client = BlockingKernelClient()
    client.load_connection_file(str(server["runtime"] / f"kernel-{kernel_id}.json"))
    # No heartbeat channel: without a kernel manager, jupyter_client judges liveness by
    # heartbeats that must answer within 1 s, and a kernel still starting on a loaded
    # machine does not, so wait_for_ready raised "Kernel died before replying to
    # kernel_info" for a healthy kernel. The server that owns the kernel watches it.
    client.start_channels(hb=False)
    try:
        client.wait_for_ready(timeout=240)
        code = (
            "%load_ext jupyter_mlws\n"
            "ip = get_ipython()\n"
            "ip.run_cell_magic('run', '--inline -e linked --no-widget', 'x = 1')\n"
            "ip.run_cell_magic('run', '-e linked --no-widget', 'y = 2')\n"
        )
        reply = client.execute_interactive(code, timeout=240, output_hook=lambda _msg: None)
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()
        _api(server["url"] + f"api/sessions/{session['id']}", "DELETE")

    runs = Workspace.current().experiment("linked").get_runs()
    assert len(runs) == 2
    for run in runs:
        assert run.get_properties()["notebook"] == str(notebook)
    submitted = next(r for r in runs if r.record.kind == "cell")
    assert submitted.record.definition["source_dir"] == str(notebook.parent)


def test_no_server_no_path() -> None:
    assert notebook_path_for_kernel("no-such-kernel", []) is None
    dead = {"url": f"http://127.0.0.1:{_free_port()}/", "token": "x", "root_dir": "/"}
    assert notebook_path_for_kernel("no-such-kernel", [dead]) is None
