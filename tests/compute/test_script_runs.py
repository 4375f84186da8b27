"""Local script runs end to end: real runner processes, real process groups."""

import itertools
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil
import pytest
from helpers import wait_until

from jupyter_mlws import Run, ScriptRunConfig, Workspace
from jupyter_mlws.config import write_config
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import (
    InvalidParameterError,
    ResourceNotFoundError,
    RunFailedError,
    SnapshotTooLargeError,
)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    return folder


def script(folder: Path, name: str, body: str) -> str:
    (folder / name).write_text(textwrap.dedent(body))
    return name


def test_script_run_completes_with_logs_metrics_and_outputs(ws: Workspace, src: Path) -> None:
    name = script(
        src,
        "train.py",
        """
        import os, sys
        from jupyter_mlws import Run
        run = Run.get_context()
        for i in range(5):
            run.log("loss", 1 / (i + 1))
        os.makedirs("outputs", exist_ok=True)
        open("outputs/model.txt", "w").write("weights")
        print(f"args {sys.argv[1:]}")
        print("to stderr", file=sys.stderr)
    """,
    )
    run = ws.experiment("e").submit(
        ScriptRunConfig(src, name, arguments=["--lr", 0.5], params={"lr": 0.5}, tags={"k": "v"})
    )
    run.wait_for_completion()
    record = run.refresh()
    assert record.status is RunStatus.COMPLETED
    assert record.params == {"lr": "0.5"} and record.tags == {"k": "v"}
    assert run.get_metrics()["loss"] == [1.0, 0.5, 1 / 3, 0.25, 0.2]
    assert "args ['--lr', '0.5']" in run.get_logs()
    assert "to stderr" in run.get_logs()
    assert run.read_file("outputs/model.txt") == b"weights"
    assert record.snapshot_id is not None


def test_failing_script_keeps_traceback(ws: Workspace, src: Path) -> None:
    name = script(
        src,
        "bad.py",
        """
        print("before")
        raise RuntimeError("exploded")
    """,
    )
    run = ws.experiment("e").submit(ScriptRunConfig(src, name))
    with pytest.raises(RunFailedError, match="exploded"):
        run.wait_for_completion()
    record = run.refresh()
    assert record.status is RunStatus.FAILED
    assert record.error is not None and "RuntimeError: exploded" in record.error["traceback"]
    assert record.error["exit_code"] == 1
    assert "before" in run.get_logs()


def test_missing_script_creates_no_run(ws: Workspace, src: Path) -> None:
    exp = ws.experiment("e")
    with pytest.raises(InvalidParameterError, match="not found"):
        exp.submit(ScriptRunConfig(src, "nope.py"))
    with pytest.raises(InvalidParameterError, match="inside source_dir"):
        exp.submit(ScriptRunConfig(src, "../x.py"))
    assert ws.store.list_runs(exp.id)[0] == []


def test_unknown_compute_target_lists_available(ws: Workspace, src: Path) -> None:
    name = script(src, "a.py", "print(1)\n")
    with pytest.raises(ResourceNotFoundError, match="available: local"):
        ws.experiment("e").submit(ScriptRunConfig(src, name, compute="gpu-cluster"))


def test_snapshot_over_limits_fails_before_any_run(ws: Workspace, src: Path) -> None:
    ws.config.snapshot.max_files = 3
    name = script(src, "a.py", "print(1)\n")
    for i in range(5):
        (src / f"data{i}.csv").write_text("x" * (i + 1))
    exp = ws.experiment("e")
    with pytest.raises(SnapshotTooLargeError, match=r"mlwsignore"):
        exp.submit(ScriptRunConfig(src, name))
    assert ws.store.list_runs(exp.id)[0] == []
    (src / ".mlwsignore").write_text("*.csv\n")
    exp.submit(ScriptRunConfig(src, name)).wait_for_completion()


def test_max_duration_is_enforced(ws: Workspace, src: Path) -> None:
    name = script(src, "slow.py", "import time\nprint('start', flush=True)\ntime.sleep(60)\n")
    run = ws.experiment("e").submit(ScriptRunConfig(src, name, max_duration_s=1))
    with pytest.raises(RunFailedError, match="maximum duration"):
        run.wait_for_completion(timeout=120)
    assert "start" in run.get_logs()


def _children_pids(run: Run) -> list[int]:
    return [int(line.split()[1]) for line in run.get_logs().splitlines() if line.startswith("pid ")]


def test_cancel_kills_the_whole_process_group(ws: Workspace, src: Path) -> None:
    name = script(
        src,
        "tree.py",
        """
        import os, subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        print("pid", os.getpid(), flush=True)
        print("pid", child.pid, flush=True)
        time.sleep(120)
    """,
    )
    run = ws.experiment("e").submit(ScriptRunConfig(src, name))
    wait_until(lambda: len(_children_pids(run)) == 2)
    pids = _children_pids(run)
    run.cancel()
    with pytest.raises(RunFailedError, match="Canceled"):
        run.wait_for_completion(timeout=120)
    wait_until(
        lambda: (
            not any(
                psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
                for p in pids
            )
        ),
        timeout=120,
    )


def test_killed_user_process_fails_and_keeps_logs(ws: Workspace, src: Path) -> None:
    name = script(
        src,
        "victim.py",
        """
        import os, time
        print("pid", os.getpid(), flush=True)
        print("working", flush=True)
        time.sleep(120)
    """,
    )
    run = ws.experiment("e").submit(ScriptRunConfig(src, name))
    wait_until(lambda: "working" in run.get_logs())
    os.kill(_children_pids(run)[0], signal.SIGKILL)
    with pytest.raises(RunFailedError, match="SIGKILL"):
        run.wait_for_completion(timeout=120)
    assert "working" in run.get_logs()


def test_killed_runner_is_marked_lost(ws: Workspace, src: Path) -> None:
    name = script(src, "victim.py", "import time\nprint('up', flush=True)\ntime.sleep(120)\n")
    run = ws.experiment("e").submit(ScriptRunConfig(src, name))
    wait_until(lambda: "up" in run.get_logs())
    runner_pid = ws.store.get_run(run.id).pid
    assert runner_pid is not None
    os.kill(runner_pid, signal.SIGKILL)
    with pytest.raises(RunFailedError, match="lost"):
        run.wait_for_completion(timeout=120)


GATED = """
import os, time
while not os.path.exists({gate!r}):  # held until the test opens the gate
    time.sleep(0.05)
print("{message}")
"""


def test_concurrency_limit_queues_without_a_daemon(
    ws: Workspace, src: Path, tmp_path: Path
) -> None:
    ws.config.local_max_concurrency = 1
    write_config(ws.root, ws.config)  # runners read it when they dispatch the next run
    gate = tmp_path / "gate"
    name = script(src, "held.py", GATED.format(gate=str(gate), message="done"))
    exp = ws.experiment("e")
    runs = [exp.submit(ScriptRunConfig(src, name)) for _ in range(3)]
    # one run holds the only slot (it cannot end before the gate opens): the others wait
    wait_until(lambda: any(r.refresh().status is RunStatus.RUNNING for r in runs), timeout=120)
    statuses = sorted(r.refresh().status.value for r in runs)
    assert statuses == ["Queued", "Queued", "Running"]
    gate.touch()
    for r in runs:
        r.wait_for_completion(timeout=240)
    records = sorted((r.refresh() for r in runs), key=lambda rec: rec.started_ms or 0)
    assert all(rec.status is RunStatus.COMPLETED for rec in records)
    for before, after in itertools.pairwise(records):  # one at a time: no overlap
        assert before.ended_ms is not None and after.started_ms is not None
        assert after.started_ms >= before.ended_ms


def test_submit_tags_are_kept_with_the_configs_own(ws: Workspace, src: Path) -> None:
    name = script(src, "a.py", "print(1)\n")
    config = ScriptRunConfig(src, name, tags={"team": "a", "stage": "dev"})
    run = ws.experiment("e").submit(config, tags={"stage": "prod", "sweep": "7"})
    assert run.record.tags == {"team": "a", "stage": "prod", "sweep": "7"}
    assert config.tags == {"team": "a", "stage": "dev"}  # the config is not changed
    with pytest.raises(InvalidParameterError, match="cannot be submitted with colour"):
        ws.experiment("e").submit(config, colour="red")
    run.wait_for_completion(timeout=120)


def test_run_survives_the_submitting_process(ws: Workspace, src: Path, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    name = script(src, "held.py", GATED.format(gate=str(gate), message="done"))
    submitter = tmp_path / "submit.py"
    submitter.write_text(
        textwrap.dedent(f"""
        from jupyter_mlws import ScriptRunConfig, Workspace
        ws = Workspace.open({str(ws.root)!r})
        print(ws.experiment("e").submit(ScriptRunConfig({str(src)!r}, {name!r})).id)
    """)
    )
    out = subprocess.run(
        [sys.executable, str(submitter)], capture_output=True, text=True, check=True
    )
    run = Run(ws, out.stdout.strip())
    assert not run.refresh().status.is_terminal  # the submitter is gone, the run is not
    gate.touch()
    run.wait_for_completion(timeout=120)
    assert "done" in run.get_logs()


def test_runs_go_through_the_local_agent_when_enabled(
    ws: Workspace, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jupyter_mlws.compute import local_agent

    monkeypatch.setenv(local_agent.ENV_POOL_SIZE, "1")
    name = script(src, "who.py", "import os\nprint('parent', os.getppid())\n")
    exp = ws.experiment("e")
    try:
        exp.submit(ScriptRunConfig(src, name)).wait_for_completion(timeout=120)  # cold
        wait_until(lambda: local_agent.status(ws) is not None)
        agent = local_agent.status(ws)
        assert agent is not None
        second = exp.submit(ScriptRunConfig(src, name))
        second.wait_for_completion(timeout=120)
        assert ws.store.get_run(second.id).pid == agent["pid"]
        assert f"parent {agent['pid']}" in second.get_logs()
    finally:
        local_agent.stop(ws)
