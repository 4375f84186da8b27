"""Runs in environments: real builds from the package index, real runner processes."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from helpers import write_notebook

from jupyter_mlws import Environment, NotebookRunConfig, ScriptRunConfig, Workspace
from jupyter_mlws.compute.cell_config import CellRunConfig
from jupyter_mlws.compute.submit import resubmit_run
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.environments.cache import BuildCache
from jupyter_mlws.tracking.run import LOG_NAME

PROBE = """
import json, os, sys
import six
from jupyter_mlws import Run
run = Run.get_context()
run.log("probe", 1)
print("PROBE " + json.dumps({"six": six.__version__, "prefix": sys.prefix,
                            "omp": os.environ.get("OMP_NUM_THREADS")}))
"""


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "probe.py").write_text(textwrap.dedent(PROBE))
    return folder


def six_env(ws: Workspace, name: str = "six") -> Environment:
    env = Environment(name)
    env.pip_packages = ["six==1.16.0"]
    env.environment_variables = {"OMP_NUM_THREADS": "1"}
    return env.register(ws)


def log_text(ws: Workspace, run_id: str) -> str:
    return ws.store.read_log(run_id, LOG_NAME)[0].decode()


def probe_output(ws: Workspace, run_id: str) -> dict[str, object]:
    text = log_text(ws, run_id)
    line = next(x for x in text.splitlines() if x.startswith("PROBE "))
    return dict(json.loads(line[len("PROBE ") :]))


def test_a_script_runs_in_its_environment_and_the_run_records_which(
    ws: Workspace, src: Path
) -> None:
    env = six_env(ws)
    run = ws.experiment("e").submit(ScriptRunConfig(src, "probe.py", environment=env))
    run.wait_for_completion(raise_on_error=False)
    record = run.refresh()
    log = log_text(ws, run.id)
    assert record.status is RunStatus.COMPLETED, (record.error, log)
    built = Environment.get(ws, "six", version=1)
    assert built.state == "Ready" and built.lock is not None
    assert "six==1.16.0" in built.lock.splitlines()
    assert record.properties["mlws.environment"] == "six:1"
    lock_hash = record.properties["mlws.environment.lock_hash"]
    out = probe_output(ws, run.id)
    assert out["six"] == "1.16.0"
    assert out["prefix"] == str(BuildCache().path(lock_hash))
    assert out["omp"] == "1"
    assert record.metrics == {"probe": 1}  # jupyter_mlws works inside the environment

    again = resubmit_run(ws, run.id)  # a rerun uses the same version and lock
    again.wait_for_completion()
    assert again.refresh().properties["mlws.environment"] == "six:1"
    assert again.refresh().properties["mlws.environment.lock_hash"] == lock_hash
    assert "building environment" not in log_text(ws, again.id)


def test_inherit_runs_in_this_interpreter(ws: Workspace, src: Path) -> None:
    (src / "where.py").write_text("import sys; print('PREFIX', sys.prefix)\n")
    run = ws.experiment("e").submit(ScriptRunConfig(src, "where.py", environment="inherit"))
    run.wait_for_completion()
    import sys

    assert f"PREFIX {sys.prefix}" in log_text(ws, run.id)
    assert "mlws.environment" not in run.refresh().properties


def test_an_unresolvable_requirement_fails_the_run_in_preparing_with_the_resolvers_message(
    ws: Workspace, src: Path
) -> None:
    env = Environment("broken")
    env.pip_packages = ["six==0.0.999"]
    env = env.register(ws)
    run = ws.experiment("e").submit(ScriptRunConfig(src, "probe.py", environment=env))
    run.wait_for_completion(raise_on_error=False)
    record = run.refresh()
    assert record.status is RunStatus.FAILED
    assert record.started_ms is None or "PROBE" not in log_text(ws, run.id)
    message = record.error["message"]
    assert "six" in message and "0.0.999" in message, message
    assert "Traceback" not in message
    broken = Environment.get(ws, "broken")
    assert broken.state == "Failed" and broken.lock is None
    assert not [p for p in BuildCache().root.glob(".tmp-*")]  # nothing half-built left


def test_a_cell_runs_in_its_environment(ws: Workspace, src: Path) -> None:
    six_env(ws)
    run = ws.experiment("e").submit(
        CellRunConfig(textwrap.dedent(PROBE), source_dir=src, environment="six:1")
    )
    run.wait_for_completion()
    assert probe_output(ws, run.id)["six"] == "1.16.0"


def test_a_notebook_runs_in_a_kernel_of_its_environment(ws: Workspace, src: Path) -> None:
    six_env(ws)
    nb = write_notebook(src / "nb.ipynb", None, [textwrap.dedent(PROBE)])
    run = ws.experiment("e").submit(NotebookRunConfig(nb, environment="six"))
    run.wait_for_completion(raise_on_error=False)
    record = run.refresh()
    assert record.status is RunStatus.COMPLETED, (record.error, log_text(ws, run.id))
    out = probe_output(ws, run.id)
    assert out["six"] == "1.16.0" and out["omp"] == "1"
    assert out["prefix"] == str(BuildCache().path(record.properties["mlws.environment.lock_hash"]))
    assert record.metrics == {"probe": 1}
