"""Hyperparameter sweeps for every front door: submit from plain arguments (the CLI's
``--param lr=loguniform(-6,-1)``), list, show (trials, best, config), cancel, extend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_mlws.compute import ScriptRunConfig
from jupyter_mlws.compute.cell_config import CellRunConfig
from jupyter_mlws.entities import RunRecord
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.hyperdrive import (
    BayesianParameterSampling,
    GridParameterSampling,
    HyperDriveConfig,
    HyperParameterSampling,
    RandomParameterSampling,
    SweepRun,
    TrialRow,
)
from jupyter_mlws.hyperdrive.config import SWEEP_KIND
from jupyter_mlws.hyperdrive.expressions import ParameterExpression, parse
from jupyter_mlws.hyperdrive.policies import parse_policy
from jupyter_mlws.services.runs import resolve_run_id
from jupyter_mlws.tracking import Workspace, run_listing

SAMPLINGS: dict[str, type[HyperParameterSampling]] = {
    "random": RandomParameterSampling,
    "grid": GridParameterSampling,
    "bayesian": BayesianParameterSampling,
}


@dataclass(frozen=True)
class SweepSettings:
    """How to sweep, as a front door gives it: a goal word and a policy string."""

    metric: str
    goal: str = "max"
    max_runs: int = 20
    concurrent: int | None = None
    policy: str = "none"
    sampling: str = "random"
    max_duration_minutes: float | None = None
    display_name: str | None = None
    seed: int | None = None


@dataclass(frozen=True)
class SweepSpec:
    """A script sweep: ``params`` are "lr=loguniform(-6,-1)" (keys become "--lr")."""

    script: str
    source_dir: Path
    params: Sequence[str]
    settings: SweepSettings
    experiment: str = "Default"
    compute: str = "local"
    arguments: Sequence[str] = ()


@dataclass(frozen=True)
class SweepView:
    """What ``sweep show`` and ``GET /sweeps/{id}`` present."""

    record: RunRecord
    trials: list[TrialRow] = field(default_factory=list)
    best_run_id: str | None = None
    config: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run": self.record.to_dict(),
            "trials": [t.to_dict() for t in self.trials],
            "best_run_id": self.best_run_id,
            "config": self.config,
        }


def parse_space(pairs: Sequence[str], *, dashed: bool) -> dict[str, ParameterExpression]:
    """``["lr=loguniform(-6,-1)", …]`` → the space; ``dashed``: keys are script arguments."""
    space: dict[str, ParameterExpression] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name or not text.strip():
            raise InvalidParameterError(
                f"--param {pair!r} must be NAME=EXPRESSION, e.g. lr=loguniform(-6,-1)"
            )
        key = f"--{name.lstrip('-')}" if dashed else name
        if key in space:
            raise InvalidParameterError(f"--param {name!r} is given twice")
        space[key] = parse(text)
    if not space:
        raise InvalidParameterError("a sweep needs at least one --param NAME=EXPRESSION")
    return space


def sampling_for(
    kind: str, space: Mapping[str, ParameterExpression], seed: int | None
) -> HyperParameterSampling:
    cls = SAMPLINGS.get(kind.lower())
    if cls is None:
        raise InvalidParameterError(f"unknown sampling {kind!r}; known: {', '.join(SAMPLINGS)}")
    return cls(space, seed=seed)


def build_config(
    run_config: Any, settings: SweepSettings, space: Mapping[str, ParameterExpression]
) -> HyperDriveConfig:
    options: dict[str, Any] = {}
    if settings.max_duration_minutes is not None:
        options["max_duration_minutes"] = settings.max_duration_minutes
    return HyperDriveConfig(
        run_config=run_config,
        hyperparameter_sampling=sampling_for(settings.sampling, space, settings.seed),
        primary_metric_name=settings.metric,
        primary_metric_goal=settings.goal,
        max_total_runs=settings.max_runs,
        max_concurrent_runs=settings.concurrent,
        policy=parse_policy(settings.policy),
        display_name=settings.display_name,
        **options,
    )


def submit_sweep(ws: Workspace, spec: SweepSpec) -> SweepRun:
    """Everything is checked before anything is stored: bad input submits nothing."""
    source = spec.source_dir.resolve()
    run_config = ScriptRunConfig(
        source_dir=source, script=spec.script, arguments=list(spec.arguments), compute=spec.compute
    )
    run_config.validate()
    config = build_config(run_config, spec.settings, parse_space(spec.params, dashed=True))
    return _submit(ws, spec.experiment, config)


def submit_cell_sweep(
    ws: Workspace,
    experiment: str,
    cell: CellRunConfig,
    space: Mapping[str, str],
    settings: SweepSettings,
) -> SweepRun:
    """``%%run --sweep``: the cell's ``-p NAME=EXPR`` become its swept variables."""
    parsed = parse_space([f"{k}={v}" for k, v in space.items()], dashed=False)
    return _submit(ws, experiment, build_config(cell, settings, parsed))


def _submit(ws: Workspace, experiment: str, config: HyperDriveConfig) -> SweepRun:
    sweep = config.submit_to(ws.experiment(experiment))
    assert isinstance(sweep, SweepRun)
    return sweep


def load_sweep(ws: Workspace, ref: str) -> SweepRun:
    """A sweep by run reference (id, id prefix, EXPERIMENT:NUMBER); another kind is refused."""
    sweep = SweepRun(ws, resolve_run_id(ws, ref))
    sweep.refresh()
    return sweep


def list_sweeps(ws: Workspace, experiment: str | None = None, limit: int = 100) -> list[RunRecord]:
    experiment_id = ws.store.get_experiment(experiment).id if experiment else None
    records, _ = run_listing.list_runs(
        ws, experiment_id=experiment_id, kind=SWEEP_KIND, limit=limit
    )
    return records


def show_sweep(ws: Workspace, ref: str) -> SweepView:
    sweep = load_sweep(ws, ref)
    trials = sweep.trial_rows()
    best = sweep.get_best_run_by_primary_metric()
    return SweepView(
        record=sweep.record,
        trials=trials,
        best_run_id=best.id if best is not None else None,
        config=sweep.spec_summary(),
    )


def cancel_sweep(ws: Workspace, ref: str) -> RunRecord:
    sweep = load_sweep(ws, ref)
    sweep.cancel()
    return sweep.record


def extend_sweep(ws: Workspace, ref: str, max_runs: int) -> RunRecord:
    sweep = load_sweep(ws, ref)
    sweep.extend(max_runs)
    return sweep.record
