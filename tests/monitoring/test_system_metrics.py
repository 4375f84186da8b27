"""System metrics of runs: real runner processes, real process trees, real memory."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import mlws_cli, wait_until

from jupyter_mlws import ScriptRunConfig, Workspace
from jupyter_mlws.config import load_config, write_config
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import InvalidParameterError, WorkspaceError
from jupyter_mlws.services import runs as run_service

RSS = "system/process_memory_rss_megabytes"
CHILD_MB = 150


def fast_sampling(ws: Workspace, interval: float = 0.2) -> Workspace:
    config = load_config(ws.root)
    config.system_metrics_interval = interval
    write_config(ws.root, config)
    return Workspace.open(ws.root)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return fast_sampling(Workspace.init(tmp_path / "proj"))


def write(folder: Path, name: str, body: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(textwrap.dedent(body))
    return name


def peaks(ws: Workspace, run_id: str) -> dict[str, float]:
    return {m.key: m.max for m in run_service.latest_metrics(ws, run_id)}


def test_a_child_process_memory_is_counted_in_the_run(ws: Workspace, tmp_path: Path) -> None:
    release = tmp_path / "release"
    src = tmp_path / "src"
    name = write(
        src,
        "tree.py",
        f"""
        import os, subprocess, sys, time
        child = '''
        import os, sys, time
        block = bytearray({CHILD_MB} * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])  # touch every page: resident
        while not os.path.exists(sys.argv[1]):
            time.sleep(0.05)
        '''
        proc = subprocess.Popen([sys.executable, "-c", child, sys.argv[1]])
        proc.wait()
        """,
    )
    run = ws.experiment("sys").submit(ScriptRunConfig(src, name, arguments=[str(release)]))
    # The child alone holds CHILD_MB: the tree's RSS can only reach it by counting it.
    wait_until(lambda: peaks(ws, run.id).get(RSS, 0) > CHILD_MB, timeout=300)
    release.write_text("")
    run.wait_for_completion(timeout=300)
    seen = peaks(ws, run.id)
    assert seen["system/process_count"] >= 2
    assert seen["system/cpu_utilization_percentage"] >= 0
    for key in ("system/open_files", "system/system_memory_usage_megabytes"):
        assert key in seen
    assert not any(key.startswith("system/gpu_") for key in seen) or _has_gpu()
    shown = mlws_cli(ws.root.parent, "run", "show", run.id)
    assert "peak memory" in shown.stdout
    data = json.loads(mlws_cli(ws.root.parent, "run", "show", run.id, "--json").stdout)
    assert data["system"]["peak_memory_mb"] > CHILD_MB


def _has_gpu() -> bool:
    from jupyter_mlws.monitoring.gpu import Gpus

    return Gpus().count > 0


def test_a_memory_error_under_an_address_space_limit_says_out_of_memory(
    ws: Workspace, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    name = write(
        src,
        "hog.py",
        """
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1024 * 1024 * 1024, 1024 * 1024 * 1024))
        hog = bytearray(4 * 1024 * 1024 * 1024)
        """,
    )
    run = ws.experiment("sys").submit(ScriptRunConfig(src, name))
    run.wait_for_completion(timeout=300, raise_on_error=False)
    record = run.refresh()
    assert record.status is RunStatus.FAILED
    assert record.error is not None and record.error["oom"] is True
    assert record.error["message"].startswith("ran out of memory: MemoryError")
    assert "MemoryError" in record.error["traceback"]


def test_a_run_killed_by_sigkill_is_reported_as_likely_out_of_memory(
    ws: Workspace, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    name = write(src, "killed.py", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    run = ws.experiment("sys").submit(ScriptRunConfig(src, name))
    run.wait_for_completion(timeout=300, raise_on_error=False)
    record = run.refresh()
    assert record.error is not None and record.error["oom"] is True
    assert "out of memory" in record.error["message"]
    assert record.error["exit_code"] == -9


def test_a_failure_that_is_not_memory_is_not_called_oom(ws: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "src"
    name = write(src, "bad.py", "raise ValueError('no')\n")
    run = ws.experiment("sys").submit(ScriptRunConfig(src, name))
    run.wait_for_completion(timeout=300, raise_on_error=False)
    record = run.refresh()
    assert record.error is not None and "oom" not in record.error
    assert record.error["message"] == "ValueError: no"


def test_a_zero_interval_is_a_one_line_error_at_submit(ws: Workspace, tmp_path: Path) -> None:
    config = load_config(ws.root)
    config.system_metrics_interval = 0
    write_config(ws.root, config)
    with pytest.raises(WorkspaceError, match="system_metrics_interval must be a positive number"):
        load_config(ws.root)  # what opening the workspace reads (open() caches per process)
    write(tmp_path / "proj", "ok.py", "print('hi')\n")
    proc = mlws_cli(ws.root.parent, "run", "submit", "ok.py", check=False)
    assert proc.returncode != 0
    assert "system_metrics_interval must be a positive number" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_interactive_runs_opt_in_and_keep_their_own_steps(ws: Workspace) -> None:
    exp = ws.experiment("interactive")
    with pytest.raises(InvalidParameterError, match="positive interval"):
        exp.start_logging(system_metrics=-1)
    run = exp.start_logging(system_metrics=0.1)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        wait_until(lambda: peaks(ws, run.id).get("system/process_count", 0) >= 2, timeout=120)
    finally:
        child.kill()
        child.wait()
    run.log("loss", 0.5)
    run.complete()
    series = {m.key: m for m in run_service.latest_metrics(ws, run.id)}
    assert series["loss"].step == 0  # the sampler's steps do not move the user's
    assert series["system/cpu_utilization_percentage"].count >= 2
    plain = exp.start_logging()
    plain.complete()
    assert not run_service.latest_metrics(ws, plain.id)


def test_run_details_show_the_peak_memory(ws: Workspace) -> None:
    from jupyter_mlws.widgets import RunDetails

    run = ws.experiment("interactive").start_logging(system_metrics=0.1)
    run.complete()
    details = RunDetails(run)
    peak = peaks(ws, run.id)[RSS]
    assert f"{peak:,.0f} MB" in details.details.value
    plain = ws.experiment("interactive").start_logging()
    plain.complete()
    assert "peak memory" not in RunDetails(plain).details.value
