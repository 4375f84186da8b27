"""What the serving tests share: a scoring script, models, HTTP helpers and clean-up."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from jupyter_mlws import Workspace
from jupyter_mlws.entities import ModelVersion
from jupyter_mlws.serving import Endpoint, lifecycle
from jupyter_mlws.serving.liveness import process_alive

# Behaviour chosen by the request, so that one service can show every case.
SCORE_PY = """
import os
import time

import numpy as np

VERSION = "v1"


def init():
    global w, b
    print("init: loading", sorted(os.listdir(os.environ["MLWS_MODEL_DIR"])), flush=True)
    model = np.load(os.path.join(os.environ["MLWS_MODEL_DIR"], "model.npz"))
    w, b = model["w"], float(model["b"])


def run(data):
    if isinstance(data, dict):
        if "sleep" in data:
            time.sleep(data["sleep"])
            return {"slept": data["sleep"]}
        if "raise" in data:
            raise ValueError(data["raise"])
        if "pid" in data:
            return {"pid": os.getpid()}
        if "unencodable" in data:
            return {"a set": {1, 2}}
        if "print" in data:
            print("score.py says", data["print"], flush=True)
            return {"printed": True}
        data = data["data"]
    x = np.asarray(data, dtype=float)
    return {"scores": (x @ w + b).tolist(), "script": VERSION}
"""

FAILING_INIT_PY = """
def load_weights():
    raise RuntimeError("the model file is corrupt")


def init():
    load_weights()


def run(data):
    return data
"""


def write_source(folder: Path, code: str = SCORE_PY, name: str = "score.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(code)
    return folder


def register_linear(ws: Workspace, name: str, bias: float, folder: Path) -> ModelVersion:
    """A linear model over 3 features with weights (1, 2, 3) and the given bias."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.npz"
    np.savez(path, w=np.array([1.0, 2.0, 3.0]), b=bias)
    return ws.register_model(name, path, tags={"bias": str(bias)})


def client(endpoint: Endpoint, key: str | None = None, **options: Any) -> httpx.Client:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=endpoint.base_uri, headers=headers, timeout=30, **options)


def wait_until(
    condition: Callable[[], Any], timeout_s: float = 30.0, interval_s: float = 0.05
) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        time.sleep(interval_s)


def stop_all(ws: Workspace) -> None:
    """Stop every endpoint of the workspace, and make sure no process is left behind."""
    for record in ws.store.list_endpoints():
        with contextlib.suppress(Exception):
            lifecycle.delete(ws, record.name)
        if record.pid:
            kill_group(record.pid)


def kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    wait_until(lambda: not process_alive(pid, None), timeout_s=10)
