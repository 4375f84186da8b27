"""``azureml.train.hyperdrive``: HyperDrive under v1's names, on the native sweeps.

The parameter expressions, samplings and policies are the native ones (they already
carry v1's names and arguments). What differs is kept here: v1's ``HyperDriveConfig``
takes the sampling first and the run config by keyword, its run configs are this
layer's ``ScriptRunConfig``, and the ``HyperDriveRun`` it returns and the runs it hands
out answer v1's run calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_mlws.azureml.core.run import Run
from jupyter_mlws.azureml.exceptions import NotAvailableError
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.hyperdrive import (
    BanditPolicy,
    BayesianParameterSampling,
    GridParameterSampling,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    PrimaryMetricGoal,
    RandomParameterSampling,
    SweepRun,
    TruncationSelectionPolicy,
    choice,
    lognormal,
    loguniform,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)
from jupyter_mlws.hyperdrive import HyperDriveConfig as NativeHyperDriveConfig
from jupyter_mlws.hyperdrive.config import MAX_DURATION_MINUTES
from jupyter_mlws.hyperdrive.sampling import HyperParameterSampling
from jupyter_mlws.tracking import Experiment

__all__ = [
    "BanditPolicy",
    "BayesianParameterSampling",
    "GridParameterSampling",
    "HyperDriveConfig",
    "HyperDriveRun",
    "MedianStoppingPolicy",
    "NoTerminationPolicy",
    "PrimaryMetricGoal",
    "RandomParameterSampling",
    "TruncationSelectionPolicy",
    "choice",
    "lognormal",
    "loguniform",
    "normal",
    "qlognormal",
    "qloguniform",
    "qnormal",
    "quniform",
    "randint",
    "uniform",
]


class HyperDriveRun(Run, SweepRun):  # type: ignore[misc]  # v1 get_children widens it
    """A sweep that is also a v1 run. v1's ``Run`` comes first, so its calls (children
    filtered by tags or status, ``get_details``, ...) run over the sweep's trials."""

    def get_best_run_by_primary_metric(
        self,
        include_failed: bool = True,
        include_canceled: bool = True,
        include_resume_from_runs: bool = True,
    ) -> Run | None:
        best = super().get_best_run_by_primary_metric(include_failed, include_canceled)
        return None if best is None else Run._wrap(best)


class HyperDriveConfig(NativeHyperDriveConfig):
    """v1's signature: ``HyperDriveConfig(hyperparameter_sampling, primary_metric_name,
    primary_metric_goal, max_total_runs, ..., run_config=ScriptRunConfig(...))``."""

    def __init__(
        self,
        hyperparameter_sampling: HyperParameterSampling,
        primary_metric_name: str,
        primary_metric_goal: PrimaryMetricGoal | str,
        max_total_runs: int,
        max_concurrent_runs: int | None = None,
        max_duration_minutes: float = MAX_DURATION_MINUTES,
        policy: Any = None,
        estimator: Any = None,
        run_config: Any = None,
        resume_from: Any = None,
        resume_child_runs: Any = None,
        pipeline: Any = None,
        debug_flag: Any = None,
        custom_run_id: Any = None,
    ) -> None:
        if estimator is not None or pipeline is not None:
            raise NotAvailableError("HyperDrive over an estimator or a pipeline (use run_config)")
        if resume_from is not None or resume_child_runs is not None:
            raise NotAvailableError(
                "HyperDrive warm start from other sweeps (extend the sweep instead)"
            )
        if run_config is None:
            raise InvalidParameterError("HyperDriveConfig needs run_config=ScriptRunConfig(...)")
        native = run_config.native() if hasattr(run_config, "native") else run_config
        super().__init__(
            native,
            hyperparameter_sampling,
            primary_metric_name,
            primary_metric_goal,
            max_total_runs,
            max_concurrent_runs,
            max_duration_minutes,
            policy,
        )

    def submit_to(
        self, experiment: Experiment, *, tags: Mapping[str, Any] | None = None, **options: Any
    ) -> HyperDriveRun:
        sweep = super().submit_to(experiment, tags=tags, **options)
        return HyperDriveRun(sweep.workspace, sweep.id)
