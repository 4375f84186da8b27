"""``package``: a build context that runs with plain Python, without jupyter-mlws."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from jupyter_mlws import Workspace
from jupyter_mlws.exceptions import ResourceAlreadyExistsError

from .support import register_linear, wait_until


def _listening_port(log: Path) -> int:
    text = log.read_text() if log.exists() else ""
    found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", text)
    return int(found.group(1)) if found else 0


def test_packaged_service_runs_from_its_folder_with_plain_python(
    ws: Workspace, source: Path, tmp_path: Path
) -> None:
    register_linear(ws, "linear", 0.5, tmp_path / "m")
    keys = ws.deploy("ep", ["linear"], source_dir=source, workers=2).get_keys()
    out = ws.package_endpoint("ep", tmp_path / "build")

    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {
        "Dockerfile",
        "requirements.txt",
        "serve.py",
        "service.json",
        "keys.json",
        "src/score.py",
        "models/model.npz",
        "mlws_runtime/app.py",
        "mlws_runtime/supervisor.py",
    } <= names
    requirements = (out / "requirements.txt").read_text()
    for package in ("starlette==", "uvicorn[standard]==", "orjson==", "numpy=="):
        assert package in requirements
    assert "jupyter" not in requirements
    assert 'CMD ["python", "serve.py", "--bind", "0.0.0.0"' in (out / "Dockerfile").read_text()
    for module in (out / "mlws_runtime").glob("*.py"):
        assert "jupyter_mlws" not in module.read_text(), module

    # A jupyter_mlws that explodes on import, first on the path: the service must not need it.
    blocker = tmp_path / "blocker" / "jupyter_mlws"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('the packaged service imported me')")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLWS_")}
    env["PYTHONPATH"] = str(blocker.parent)
    log = tmp_path / "packaged.log"
    with open(log, "wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "serve.py", "--port", "0"],
            cwd=out,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        port = wait_until(lambda: proc.poll() is None and _listening_port(log), timeout_s=60)
        url = f"http://127.0.0.1:{port}"
        headers = {"authorization": f"Bearer {keys['primary']}"}
        wait_until(lambda: httpx.get(f"{url}/v2/health/ready").status_code == 200)
        answer = httpx.post(f"{url}/score", json={"data": [[1, 1, 1]]}, headers=headers)
        assert answer.status_code == 200, log.read_text()
        assert answer.json() == {"scores": [6.5], "script": "v1"}
        assert httpx.post(f"{url}/score", json={"data": [[1, 1, 1]]}).status_code == 401
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert "the packaged service imported me" not in log.read_text()


def test_package_refuses_a_non_empty_folder(ws: Workspace, source: Path, tmp_path: Path) -> None:
    register_linear(ws, "linear", 0.5, tmp_path / "m")
    ws.deploy("ep", ["linear"], source_dir=source, auth="none")
    target = tmp_path / "build"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(ResourceAlreadyExistsError):
        ws.package_endpoint("ep", target)
    assert (target / "keep.txt").read_text() == "mine"
    out = ws.package_endpoint("ep", target, force=True)
    assert not (out / "keep.txt").exists() and not (out / "keys.json").exists()
