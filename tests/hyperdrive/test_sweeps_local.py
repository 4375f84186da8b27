"""Sweeps end to end on ``local``: real controller, real trial processes, real policies."""

from __future__ import annotations

import json
import signal
import textwrap
from pathlib import Path

import psutil
import pytest
from helpers import gone, wait_until, write_notebook

from jupyter_mlws import NotebookRunConfig, ScriptRunConfig, Workspace
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import InvalidParameterError, ResourceConflictError
from jupyter_mlws.hyperdrive import (
    BanditPolicy,
    GridParameterSampling,
    HyperDriveConfig,
    PrimaryMetricGoal,
    RandomParameterSampling,
    SweepRun,
    choice,
    uniform,
)
from jupyter_mlws.hyperdrive.expressions import parse

# val_acc climbs to 1 - (lr - 0.3)^2 - bs / 1000 over --steps steps
TRAIN = """
import argparse, os, subprocess, sys, time
from pathlib import Path
from jupyter_mlws import Run

p = argparse.ArgumentParser()
p.add_argument("--lr", type=float, default=0.3)
p.add_argument("--bs", type=int, default=16)
p.add_argument("--steps", type=int, default=3)
p.add_argument("--quality", type=float, default=None)
p.add_argument("--marks", default=None)
p.add_argument("--metric", default="val_acc")
a = p.parse_args()
run = Run.get_context()
target = a.quality if a.quality is not None else 1 - (a.lr - 0.3) ** 2 - a.bs / 1000
if a.marks:  # the bad trial waits until the good one has logged, then lingers
    marks = Path(a.marks)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    (marks / f"{a.quality}.pids").write_text(f"{os.getpid()} {child.pid}")
    if a.quality < 0.5:
        deadline = time.monotonic() + 60
        while not (marks / "good").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
for step in range(1, a.steps + 1):
    run.log(a.metric, target if a.quality is not None else target * step / a.steps)
    run.flush()
    if a.marks and a.quality >= 0.5:
        (Path(a.marks) / "good").touch()
    time.sleep(0.05 if not a.marks or a.quality >= 0.5 else 0.3)
"""


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "train.py").write_text(textwrap.dedent(TRAIN))
    return folder


def hd(
    src: Path, sampling: object, *, arguments: list[str] | None = None, **kw: object
) -> HyperDriveConfig:
    options: dict = {
        "primary_metric_name": "val_acc",
        "primary_metric_goal": PrimaryMetricGoal.MAXIMIZE,
        "max_total_runs": 6,
        "max_concurrent_runs": 2,
        **kw,
    }
    return HyperDriveConfig(
        run_config=ScriptRunConfig(src, "train.py", arguments=arguments or []),
        hyperparameter_sampling=sampling,  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


def ended(sweep: SweepRun) -> SweepRun:
    sweep.wait_for_completion(timeout=300, raise_on_error=False)
    return sweep


def at_most_concurrent(records: list, limit: int) -> bool:
    spans = [(r.started_ms, r.ended_ms) for r in records if r.started_ms]
    return all(sum(1 for s, e in spans if s <= start < e) <= limit for start, _ in spans)


def test_random_sweep_completes_with_the_best_trial_ranked_first(ws: Workspace, src: Path) -> None:
    space = {"--lr": uniform(0.0, 1.0), "--bs": choice(16, 32)}
    sweep = ws.experiment("sweeps").submit(hd(src, RandomParameterSampling(space, seed=7)))
    assert isinstance(sweep, SweepRun)
    record = ended(sweep).refresh()
    assert record.status is RunStatus.COMPLETED, record.error
    trials = sweep.trial_records()
    assert len(trials) == 6 and all(t.status is RunStatus.COMPLETED for t in trials)
    assert at_most_concurrent(trials, 2)

    def objective(r: object) -> float:
        params = json.loads(r.properties["mlws.sweep.hyperparameters"])  # type: ignore[attr-defined]
        return 1 - (params["--lr"] - 0.3) ** 2 - params["--bs"] / 1000

    expected = max(trials, key=objective)
    best = sweep.get_best_run_by_primary_metric()
    assert best is not None and best.id == expected.id
    ranked = sweep.get_children_sorted_by_primary_metric(top=3)
    assert ranked[0]["run_id"] == expected.id and len(ranked) == 3
    assert ranked[0]["best_primary_metric"] == pytest.approx(objective(expected))
    assert trials[0].params["lr"] == str(
        json.loads(trials[0].properties["mlws.sweep.hyperparameters"])["--lr"]
    )


def test_bandit_cancels_a_bad_trial_and_kills_its_process_group(
    ws: Workspace, src: Path, tmp_path: Path
) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    config = hd(
        src,
        GridParameterSampling({"--quality": choice(0.9, 0.3)}),
        arguments=["--marks", str(marks), "--steps", "30"],
        max_total_runs=2,
        policy=BanditPolicy(evaluation_interval=1, slack_factor=0.1, delay_evaluation=3),
    )
    sweep = ended(ws.experiment("bandit").submit(config))
    assert sweep.refresh().status is RunStatus.COMPLETED, sweep.refresh().error
    rows = {row.hyperparameters["--quality"]: row for row in sweep.trial_rows()}
    good, bad = rows[0.9], rows[0.3]
    assert good.status is RunStatus.COMPLETED and good.decision is None
    assert bad.status is RunStatus.CANCELED
    assert bad.decision is not None and bad.decision.startswith("canceled by BanditPolicy at step ")
    assert "val_acc 0.3 < 0.9 / (1 + 0.1) = 0.8182" in bad.decision
    assert 3 <= bad.intervals < 30
    for pid in (marks / "0.3.pids").read_text().split():
        wait_until(lambda pid=int(pid): gone(pid), timeout=30)


def _controller(sweep: SweepRun) -> psutil.Process | None:
    record = sweep.refresh()
    if record.status is not RunStatus.RUNNING or not record.pid:
        return None
    try:
        children = psutil.Process(record.pid).children()
    except psutil.NoSuchProcess:
        return None
    found = [c for c in children if "jupyter_mlws.hyperdrive.controller" in " ".join(c.cmdline())]
    return found[0] if found else None


def test_a_killed_controller_is_redispatched_without_duplicating_or_losing_trials(
    ws: Workspace, src: Path
) -> None:
    space = {"--lr": uniform(0.0, 1.0)}
    config = hd(src, RandomParameterSampling(space), arguments=["--steps", "4"])
    sweep = ws.experiment("killed").submit(config)
    wait_until(lambda: len(sweep.trial_records()) >= 2 and _controller(sweep) is not None)
    controller = _controller(sweep)
    assert controller is not None
    controller.send_signal(signal.SIGKILL)
    record = ended(sweep).refresh()
    assert record.status is RunStatus.COMPLETED, record.error
    assert record.tags.get("mlws.redispatches") == "1"
    trials = sweep.trial_records()
    indices = [int(t.properties["mlws.sweep.trial"]) for t in trials]
    assert indices == list(range(6))
    assert all(t.status is RunStatus.COMPLETED for t in trials)
    assert "starting it again" in sweep.get_logs()


def test_extend_adds_trials_to_an_ended_sweep_from_where_it_stopped(
    ws: Workspace, src: Path
) -> None:
    grid = GridParameterSampling({"--lr": choice(0.1, 0.2, 0.3, 0.4)})
    sweep = ended(ws.experiment("extend").submit(hd(src, grid, max_total_runs=2)))
    assert len(sweep.trial_records()) == 2
    sweep.extend(2)
    record = ended(sweep).refresh()
    assert record.status is RunStatus.COMPLETED, record.error
    trials = sweep.trial_records()
    points = sorted(json.loads(t.properties["mlws.sweep.hyperparameters"])["--lr"] for t in trials)
    assert points == [0.1, 0.2, 0.3, 0.4]  # the sampler knew which points were taken
    best = sweep.get_best_run_by_primary_metric()
    assert best is not None and best.record.params["lr"] == "0.3"
    with pytest.raises(ResourceConflictError, match="all 4 grid points"):
        sweep.extend(1)


def test_a_primary_metric_no_trial_logs_fails_the_sweep_after_the_first_trial(
    ws: Workspace, src: Path
) -> None:
    config = hd(
        src, RandomParameterSampling({"--lr": uniform(0, 1)}), arguments=["--metric", "acc"]
    )
    record = ended(ws.experiment("nometric").submit(config)).refresh()
    assert record.status is RunStatus.FAILED
    message = (record.error or {})["message"]
    assert "primary metric 'val_acc' is not logged" in message and "acc" in message
    assert "\n" not in message


def test_a_sweep_whose_every_trial_fails_fails(ws: Workspace, src: Path) -> None:
    config = hd(
        src,
        RandomParameterSampling({"--lr": uniform(0, 1)}),
        arguments=["--steps", "nan"],
        max_total_runs=2,
    )
    record = ended(ws.experiment("allfail").submit(config)).refresh()
    assert record.status is RunStatus.FAILED
    message = (record.error or {})["message"]
    assert message.startswith("all 2 trials failed; the first: ") and "\n" not in message


def test_a_notebook_sweep_sets_plain_names_as_notebook_parameters(ws: Workspace, src: Path) -> None:
    write_notebook(
        src / "train.ipynb",
        "lr = 0.1",
        ["from jupyter_mlws import Run\nrun = Run.get_context()\nrun.log('val_acc', lr)"],
    )
    config = HyperDriveConfig(
        run_config=NotebookRunConfig(src / "train.ipynb", source_dir=src),
        hyperparameter_sampling=GridParameterSampling({"lr": choice(0.2, 0.7)}),
        primary_metric_name="val_acc",
        primary_metric_goal="MAXIMIZE",
        max_total_runs=2,
        max_concurrent_runs=2,
    )
    sweep = ended(ws.experiment("nb").submit(config))
    assert sweep.refresh().status is RunStatus.COMPLETED, sweep.record.error
    best = sweep.get_best_run_by_primary_metric()
    assert best is not None and best.get_metrics()["val_acc"] == 0.7
    assert sorted(t.kind for t in sweep.trial_records()) == ["notebook", "notebook"]


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: parse("nosuch(1, 2)"), "unknown parameter expression 'nosuch'"),
        (lambda: uniform(2, 1), "low must be below high"),
        (lambda: GridParameterSampling({"--lr": uniform(0, 1)}), "continuous: --lr"),
    ],
)
def test_bad_expressions_are_one_line_errors(make: object, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match) as info:
        make()  # type: ignore[operator]
    assert "\n" not in str(info.value)


def test_bad_configs_submit_nothing(ws: Workspace, src: Path) -> None:
    space = RandomParameterSampling({"--lr": uniform(0, 1)})
    with pytest.raises(InvalidParameterError, match="max_concurrent_runs must be an integer"):
        hd(src, space, max_concurrent_runs=0)
    with pytest.raises(InvalidParameterError, match="script arguments such as '--lr'"):
        ws.experiment("bad").submit(hd(src, RandomParameterSampling({"lr": uniform(0, 1)})))
    assert ws.store.list_runs()[0] == []
