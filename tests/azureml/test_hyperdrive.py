"""v1 HyperDrive code on the native sweeps: ``azureml.train.hyperdrive`` as v1 wrote it."""

from __future__ import annotations

from pathlib import Path

import pytest

TRAIN = """\
import argparse
from azureml.core import Run

parser = argparse.ArgumentParser()
parser.add_argument("--learning-rate", type=float)
args = parser.parse_args()
run = Run.get_context()
for epoch in range(3):
    run.log("accuracy", args.learning_rate * (epoch + 1) / 3)
"""


def test_a_v1_hyperdrive_sweep_runs_and_ranks_its_trials(v1: object, tmp_path: Path) -> None:
    from azureml.core import Experiment, Run, ScriptRunConfig, Workspace
    from azureml.train.hyperdrive import (
        BanditPolicy,
        GridParameterSampling,
        HyperDriveConfig,
        HyperDriveRun,
        PrimaryMetricGoal,
        choice,
    )

    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(TRAIN)
    ws = Workspace.from_config()
    config = ScriptRunConfig(source_directory=str(src), script="train.py")
    hd = HyperDriveConfig(
        hyperparameter_sampling=GridParameterSampling({"--learning-rate": choice(0.2, 0.9, 0.5)}),
        primary_metric_name="accuracy",
        primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
        max_total_runs=3,
        max_concurrent_runs=2,
        policy=BanditPolicy(evaluation_interval=1, slack_factor=0.9),
        run_config=config,
    )
    sweep = Experiment(ws, "v1-tune").submit(hd)
    assert isinstance(sweep, HyperDriveRun) and isinstance(sweep, Run)
    sweep.wait_for_completion()

    best = sweep.get_best_run_by_primary_metric()
    assert isinstance(best, Run)
    assert best.get_metrics()["accuracy"][-1] == pytest.approx(0.9)
    ranked = sweep.get_children_sorted_by_primary_metric(top=1)
    assert ranked[0]["run_id"] == best.id
    assert ranked[0]["hyperparameters"] == {"--learning-rate": 0.9}
    children = sweep.get_children()
    assert len(children) == 3 and all(isinstance(c, Run) for c in children)
    assert set(sweep.get_metrics()) == {c.id for c in children}


def test_v1_hyperdrive_refuses_what_it_cannot_map(v1: object) -> None:
    from azureml.exceptions import NotAvailableError
    from azureml.train.hyperdrive import HyperDriveConfig, RandomParameterSampling, choice

    sampling = RandomParameterSampling({"--lr": choice(0.1, 0.2)})
    with pytest.raises(NotAvailableError, match="estimator"):
        HyperDriveConfig(sampling, "acc", "MAXIMIZE", 2, estimator=object())
    with pytest.raises(Exception, match="run_config"):
        HyperDriveConfig(sampling, "acc", "MAXIMIZE", 2)
