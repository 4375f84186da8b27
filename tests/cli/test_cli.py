"""The `mlws` command line as a user runs it: real processes, real workspace."""

import json
import os
import re
import signal
import subprocess
import zipfile
from pathlib import Path

import pytest
from helpers import MLWS, mlws_cli

mlws = mlws_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    mlws(tmp_path, "init")
    (tmp_path / "train.py").write_text(
        "import os, sys\n"
        "from jupyter_mlws import Run\n"
        "run = Run.get_context()\n"
        "for i in range(3):\n"
        "    run.log('loss', 1 / (i + 1))\n"
        "os.makedirs('outputs', exist_ok=True)\n"
        "open('outputs/o.txt', 'w').write('out')\n"
        "print('hello', sys.argv[1:])\n"
    )
    return tmp_path


def test_submit_wait_and_inspect(project: Path, tmp_path: Path) -> None:
    out = mlws(
        project,
        "run",
        "submit",
        "-e",
        "exp",
        "-t",
        "team=a",
        "-p",
        "lr=0.1",
        "--wait",
        "train.py",
        "--epochs",
        "2",
    )
    assert "hello ['--epochs', '2']" in out.stdout
    assert "Completed" in out.stdout
    listed = json.loads(mlws(project, "run", "list", "--json").stdout)
    assert len(listed) == 1 and listed[0]["status"] == "Completed"
    assert listed[0]["params"] == {"lr": "0.1"} and listed[0]["tags"] == {"team": "a"}
    shown = json.loads(mlws(project, "--json", "run", "show", "exp:1").stdout)
    assert shown["metrics"]["loss"] == pytest.approx(1 / 3)
    history = json.loads(mlws(project, "run", "metrics", "exp:1", "-k", "loss", "--json").stdout)
    assert history["values"] == [1.0, 0.5, pytest.approx(1 / 3)]
    logs = mlws(project, "run", "logs", shown["id"][:8])
    assert "hello" in logs.stdout
    mlws(project, "run", "download", "exp:1", "-o", str(tmp_path / "dl"))
    folder = tmp_path / "dl" / "exp-1"
    assert (folder / "files" / "outputs" / "o.txt").read_text() == "out"
    assert "hello" in (folder / "logs" / "std_log.txt").read_text()
    with zipfile.ZipFile(folder / "snapshot.zip") as archive:
        assert "train.py" in archive.namelist()
    experiments = json.loads(mlws(project, "experiment", "list", "--json").stdout)
    assert [e["name"] for e in experiments] == ["exp"]


def test_failed_run_exits_non_zero(project: Path) -> None:
    (project / "bad.py").write_text("raise SystemExit(3)\n")
    proc = mlws(project, "run", "submit", "--wait", "bad.py", check=False)
    assert proc.returncode == 1
    assert "Failed" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "show", "nope"], "does not exist"),
        (["run", "show", "exp:99"], "does not exist"),
        (["run", "submit", "missing.py"], "not found"),
        (["run", "list", "--sort", "bogus"], "cannot sort by"),
        (["run", "list", "--sort", "metric:"], "cannot sort by 'metric:': name the metric"),
        (["run", "list", "-s", "Sleeping"], "unknown run status"),
        (["run", "submit", "-c", "nowhere", "train.py"], "unknown compute target"),
        (["experiment", "archive", "ghost"], "does not exist"),
        (["run", "submit", "-t", "novalue", "train.py"], "key=value"),
        (["frobnicate"], "No such command"),
    ],
)
def test_errors_are_one_line_without_traceback(
    project: Path, args: list[str], message: str
) -> None:
    proc = mlws(project, *args, check=False)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.strip().splitlines()[-1].startswith("mlws: error:")


def test_every_command_takes_json(project: Path) -> None:
    mlws(project, "run", "submit", "-e", "exp", "--wait", "train.py")
    for args in (
        ["workspace", "show"],
        ["experiment", "list"],
        ["run", "list"],
        ["run", "show", "exp:1"],
        ["run", "metrics", "exp:1"],
        ["run", "logs", "exp:1"],
        ["init"],
    ):
        out = mlws(project, *args, "--json").stdout
        json.loads(out)


def test_archive_frees_the_name(project: Path) -> None:
    mlws(project, "run", "submit", "-e", "exp", "--wait", "train.py")
    mlws(project, "experiment", "archive", "exp")
    assert json.loads(mlws(project, "experiment", "list", "--json").stdout) == []
    everything = json.loads(mlws(project, "experiment", "list", "--all", "--json").stdout)
    assert everything[0]["archived"] is True


def test_demo_runs_on_the_embedded_default(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("MLWS_WORKSPACE", None)
    try:
        proc = subprocess.run(
            [*MLWS, "demo", "--epochs", "5"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
        assert "epoch   4" in proc.stdout
        assert "without encryption" not in proc.stdout + proc.stderr  # no kernel chatter
        assert "Completed" in proc.stdout
        assert "[mlws] answer" in proc.stdout  # the deployed demo model answered
        assert "`mlws endpoint delete demo` stops it" in proc.stdout  # not left silently
        accuracies = re.findall(r"test accuracy (\d\.\d+)", proc.stdout)
        assert len(accuracies) == 2 and accuracies[0] != accuracies[1]  # the curve moves
        assert (tmp_path / ".mlws" / "mlws.db").is_file()
    finally:  # the demo leaves its endpoint running on purpose, for the user to curl
        subprocess.run(
            [*MLWS, "endpoint", "delete", "demo"],
            cwd=tmp_path,
            env=env,
            timeout=120,
            capture_output=True,
        )


def test_a_rejected_submit_creates_no_experiment(project: Path) -> None:
    proc = mlws(project, "run", "submit", "-e", "brand-new", "nothere.py", check=False)
    assert proc.returncode == 1 and "not found" in proc.stderr
    assert json.loads(mlws(project, "experiment", "list", "--json").stdout) == []


def test_logged_tables_and_images_through_run_metrics(project: Path) -> None:
    (project / "tables.py").write_text(
        "from jupyter_mlws import Run\n"
        "run = Run.get_context()\n"
        "run.log('loss', 0.5)\n"
        "run.log_table('confusion', {'label': ['cat', 'dog'], 'cat': [9, 1], 'dog': [2, 8]})\n"
        "for epoch in range(3):\n"
        "    run.log_row('per_epoch', epoch=epoch, acc=0.5 + epoch / 10)\n"
        "open('c.png', 'wb').write(b'png')\n"
        "run.log_image('curve', path='c.png')\n"
    )
    mlws(project, "run", "submit", "-e", "tables", "--wait", "tables.py")
    listing = mlws(project, "run", "metrics", "tables:1").stdout
    assert "loss" in listing and "confusion" in listing and "table" in listing
    table = mlws(project, "run", "metrics", "tables:1", "-k", "confusion").stdout
    assert "LABEL" in table and "dog    1    8" in table
    per_epoch = mlws(project, "run", "metrics", "tables:1", "-k", "per_epoch", "--json")
    rows = json.loads(per_epoch.stdout)
    assert rows["kind"] == "row" and rows["value"]["epoch"] == [0, 1, 2]
    image = mlws(project, "run", "metrics", "tables:1", "-k", "curve").stdout
    assert "images/curve/1.png" in image
    missing = mlws(project, "run", "metrics", "tables:1", "-k", "nope", check=False)
    assert missing.returncode != 0 and "nope" in missing.stderr


def test_malformed_number_param_is_refused(project: Path) -> None:
    bad = mlws(project, "run", "submit", "-p", "lr=0.1.2", "train.py", check=False)
    assert bad.returncode == 2 and "'0.1.2' is not a valid number" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert json.loads(mlws(project, "run", "list", "--json").stdout) == []


def test_submit_wait_names_the_run_and_ctrl_c_says_how_to_cancel_it(project: Path) -> None:
    (project / "slow.py").write_text(
        "import time\nprint('started', flush=True)\nwhile True:\n    time.sleep(0.1)\n"
    )
    env = {**os.environ, "MLWS_WORKSPACE": str(project / ".mlws")}
    proc = subprocess.Popen(
        [*MLWS, "run", "submit", "-e", "brand-new", "--wait", "slow.py"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # printed before the log is streamed
    assert first.startswith("[mlws] run brand-new:1 (") and "streaming its log" in first
    for line in proc.stdout:  # the run's own output, streamed (ends at EOF if it died)
        if "started" in line:
            break
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "created experiment 'brand-new'" in stderr
    assert "`mlws run cancel brand-new:1` stops it" in stderr
    assert "Traceback" not in stderr
    mlws(project, "run", "cancel", "brand-new:1")
