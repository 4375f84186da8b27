"""``mlws sweep …`` as a user runs it: real processes, real workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import mlws_cli, wait_until

mlws = mlws_cli

TRAIN = """\
import argparse, time
from jupyter_mlws import Run
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float)
p.add_argument("--bs", type=int)
p.add_argument("--steps", type=int, default=3)
a = p.parse_args()
run = Run.get_context()
for step in range(1, a.steps + 1):
    run.log("val_acc", (1 - abs(a.lr - 0.01) * 10 - a.bs / 1000) * step / a.steps)
    time.sleep(0.05)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    mlws(tmp_path, "init")
    (tmp_path / "train.py").write_text(TRAIN)
    return tmp_path


def test_submit_show_extend_and_list(project: Path) -> None:
    out = mlws(
        project, "sweep", "submit", "--param", "lr=loguniform(-6,-1)", "--param",
        "bs=choice(16,32)", "--metric", "val_acc", "--goal", "max", "--max-runs", "3",
        "--concurrent", "2", "--policy", "bandit:slack=0.1,interval=1,delay=3", "-e", "hp",
        "--wait", "--json", "train.py",
    )  # fmt: skip
    view = json.loads(out.stdout)
    assert view["run"]["status"] == "Completed"
    assert len(view["trials"]) == 3 and view["best_run_id"] is not None
    assert view["config"]["policy"] == {
        "kind": "bandit", "evaluation_interval": 1, "delay_evaluation": 3,
        "slack_factor": 0.1, "slack_amount": None,
    }  # fmt: skip
    assert set(view["trials"][0]["hyperparameters"]) == {"--lr", "--bs"}

    table = mlws(project, "sweep", "show", "hp:1").stdout
    assert "lr=" in table and "bs=" in table and "Completed" in table
    best_line = next(line for line in table.splitlines() if line.startswith("*"))
    best = next(t for t in view["trials"] if t["run_id"] == view["best_run_id"])
    assert f" {best['index']} " in best_line

    mlws(project, "sweep", "extend", "hp:1", "--max-runs", "2")

    def five_done() -> bool:
        shown = json.loads(mlws(project, "sweep", "show", "hp:1", "--json").stdout)
        return shown["run"]["status"] == "Completed" and len(shown["trials"]) == 5

    wait_until(five_done, timeout=300)
    listed = json.loads(mlws(project, "sweep", "list", "--json").stdout)
    assert [s["kind"] for s in listed] == ["sweep"]


def test_cancel_stops_the_sweep_and_its_trials(project: Path) -> None:
    out = mlws(
        project, "sweep", "submit", "-p", "lr=uniform(0,1)", "-p", "bs=choice(1)", "-m",
        "val_acc", "--max-runs", "4", "--concurrent", "1", "--json", "train.py", "--steps", "400",
    )  # fmt: skip
    sweep_id = json.loads(out.stdout)["id"]

    def a_trial_runs() -> bool:
        shown = json.loads(mlws(project, "sweep", "show", sweep_id, "--json").stdout)
        return any(t["status"] == "Running" for t in shown["trials"])

    wait_until(a_trial_runs, timeout=300)
    mlws(project, "sweep", "cancel", sweep_id)

    def all_canceled() -> bool:
        shown = json.loads(mlws(project, "sweep", "show", sweep_id, "--json").stdout)
        return shown["run"]["status"] == "Canceled" and all(
            t["status"] == "Canceled" for t in shown["trials"]
        )

    wait_until(all_canceled, timeout=120)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "lr=nosuch(1,2)"], "unknown parameter expression 'nosuch'"),
        (["-p", "lr=uniform(2,1)"], "low must be below high"),
        (["-p", "lr=uniform(0,1)", "--concurrent", "0"], "max_concurrent_runs must be"),
        (["-p", "lr=uniform(0,1)", "--sampling", "grid"], "continuous: --lr"),
        (["-p", "lr=uniform(0,1)", "--policy", "bandit:slack=x"], "must be a number"),
        (["-p", "lr"], "must be NAME=EXPRESSION"),
    ],
)
def test_bad_input_is_one_line_and_submits_nothing(
    project: Path, args: list[str], message: str
) -> None:
    proc = mlws(project, "sweep", "submit", *args, "-m", "val_acc", "train.py", check=False)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert json.loads(mlws(project, "sweep", "list", "--json").stdout) == []
