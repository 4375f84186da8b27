"""The local agent keeps warm kernels per environment: a notebook run in an environment
gets a kernel of that environment's build started ahead of time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import wait_until, write_notebook

from jupyter_mlws import Environment, NotebookRunConfig, Workspace
from jupyter_mlws.compute import local_agent
from jupyter_mlws.environments.cache import BuildCache

CELL = "import sys, six\nprint('WHERE ' + __import__('json').dumps([sys.prefix, six.__version__]))"


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv(local_agent.ENV_POOL_SIZE, "1")
    workspace = Workspace.init(tmp_path / "proj")
    yield workspace
    local_agent.stop(workspace)


def _warm_for_environment(ws: Workspace) -> int:
    ready = (local_agent.status(ws) or {}).get("warm_ready", {})
    return sum(n for spec, n in ready.items() if "--jupyter-path" in spec)


def test_a_notebook_run_in_an_environment_gets_a_warm_kernel_of_it(
    ws: Workspace, tmp_path: Path
) -> None:
    env = Environment("six")
    env.pip_packages = ["six==1.16.0"]
    env.register(ws).build_local(ws, log=lambda _text: None)
    path = write_notebook(tmp_path / "src" / "nb.ipynb", None, [CELL])
    exp = ws.experiment("nb")
    exp.submit(NotebookRunConfig(path, environment="six")).wait_for_completion(timeout=120)
    wait_until(lambda: local_agent.status(ws) is not None, timeout=120)
    # the agent learns the environment's warm spec from the first run it is handed
    exp.submit(NotebookRunConfig(path, environment="six")).wait_for_completion(timeout=120)
    wait_until(lambda: _warm_for_environment(ws) >= 1, timeout=120)

    run = exp.submit(NotebookRunConfig(path, environment="six"))
    run.wait_for_completion(timeout=120)
    record = run.refresh()
    assert record.tags["mlws.notebook.kernel_start"] == "warm"
    prefix, version = json.loads(run.get_logs().split("WHERE ", 1)[1].splitlines()[0])
    assert version == "1.16.0"
    assert prefix == str(BuildCache().path(record.properties["mlws.environment.lock_hash"]))
