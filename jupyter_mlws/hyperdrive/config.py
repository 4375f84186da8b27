"""``HyperDriveConfig``: a sweep over a run config, submitted with ``exp.submit(hd)``.

Submitting makes one run of kind ``sweep`` whose command is the controller
(``python -m jupyter_mlws.hyperdrive.controller``), started by the job runner like
any run on ``local``; everything the controller needs (space, sampling, policy,
limits, the trial template) is in that run's definition, so a re-dispatched
controller needs nothing else.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any

from jupyter_mlws.compute.submit import submit_run, submit_tags
from jupyter_mlws.entities import validate_name
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.hyperdrive.policies import EarlyTerminationPolicy, NoTerminationPolicy
from jupyter_mlws.hyperdrive.sampling import HyperParameterSampling
from jupyter_mlws.hyperdrive.trials import TrialTemplate
from jupyter_mlws.tracking.liveness import REDISPATCH_WHEN_LOST

if TYPE_CHECKING:
    from jupyter_mlws.hyperdrive.sweep_run import SweepRun
    from jupyter_mlws.tracking import Experiment

CONTROLLER_MODULE = "jupyter_mlws.hyperdrive.controller"
SWEEP_KIND = "sweep"
CONTROLLER_COMPUTE = "local"
MAX_DURATION_MINUTES = 10080  # Azure's cap: 7 days
METRIC_PROPERTY = "mlws.sweep.primary_metric"
GOAL_PROPERTY = "mlws.sweep.goal"


class PrimaryMetricGoal(str, Enum):
    MAXIMIZE = "MAXIMIZE"
    MINIMIZE = "MINIMIZE"

    @classmethod
    def parse(cls, value: PrimaryMetricGoal | str) -> PrimaryMetricGoal:
        if isinstance(value, PrimaryMetricGoal):
            return value
        text = str(value).strip().upper()
        aliases = {"MAX": "MAXIMIZE", "MIN": "MINIMIZE"}
        try:
            return cls(aliases.get(text, text))
        except ValueError:
            raise InvalidParameterError(
                f"primary_metric_goal must be MAXIMIZE or MINIMIZE (max/min), got {value!r}"
            ) from None


def _count(name: str, value: Any, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidParameterError(f"{name} must be an integer ≥ 1, got {value!r}")
    return value


class HyperDriveConfig:
    """Azure ML v1's signature; ``run_config`` is a ScriptRunConfig, NotebookRunConfig
    or a cell config (anything with ``submission(experiment)``)."""

    def __init__(
        self,
        run_config: Any,
        hyperparameter_sampling: HyperParameterSampling,
        primary_metric_name: str,
        primary_metric_goal: PrimaryMetricGoal | str,
        max_total_runs: int,
        max_concurrent_runs: int | None = None,
        max_duration_minutes: float = MAX_DURATION_MINUTES,
        policy: EarlyTerminationPolicy | None = None,
        *,
        tags: Mapping[str, Any] | None = None,
        display_name: str | None = None,
    ) -> None:
        if not hasattr(run_config, "submission"):
            raise InvalidParameterError(
                "run_config must be a ScriptRunConfig or NotebookRunConfig, got "
                f"{type(run_config).__name__}"
            )
        if not isinstance(hyperparameter_sampling, HyperParameterSampling):
            raise InvalidParameterError(
                "hyperparameter_sampling must be a RandomParameterSampling, "
                "GridParameterSampling or BayesianParameterSampling"
            )
        self.policy = policy if policy is not None else NoTerminationPolicy()
        if not isinstance(self.policy, EarlyTerminationPolicy):
            raise InvalidParameterError(
                f"policy must be an early-termination policy, got {policy!r}"
            )
        hyperparameter_sampling.check_policy(self.policy)
        self.run_config = run_config
        self.hyperparameter_sampling = hyperparameter_sampling
        self.primary_metric_name = validate_name("metric", primary_metric_name)
        self.primary_metric_goal = PrimaryMetricGoal.parse(primary_metric_goal)
        self.max_total_runs = int(_count("max_total_runs", max_total_runs) or 0)
        self.max_concurrent_runs = _count(
            "max_concurrent_runs", max_concurrent_runs, allow_none=True
        )
        if (
            isinstance(max_duration_minutes, bool)
            or not isinstance(max_duration_minutes, (int, float))
            or not 0 < max_duration_minutes <= MAX_DURATION_MINUTES
        ):
            raise InvalidParameterError(
                f"max_duration_minutes must be in (0, {MAX_DURATION_MINUTES}], "
                f"got {max_duration_minutes!r}"
            )
        self.max_duration_minutes = float(max_duration_minutes)
        self.tags = dict(tags or {})
        self.display_name = display_name

    def sweep_definition(self, template: TrialTemplate) -> dict[str, Any]:
        sampling = self.hyperparameter_sampling
        seed = sampling.seed if sampling.seed is not None else random.randrange(2**31)
        return {
            "sampling": sampling.to_dict(),
            "seed": seed,
            "policy": self.policy.to_dict(),
            "primary_metric_name": self.primary_metric_name,
            "primary_metric_goal": self.primary_metric_goal.value,
            "max_total_runs": self.max_total_runs,
            "max_concurrent_runs": self.max_concurrent_runs or self.max_total_runs,
            "max_duration_minutes": self.max_duration_minutes,
            "trial": template.to_dict(),
        }

    def submit_to(
        self, experiment: Experiment, *, tags: Mapping[str, Any] | None = None, **options: Any
    ) -> SweepRun:
        from jupyter_mlws.hyperdrive.sweep_run import SweepRun

        run_tags = submit_tags(self, self.tags, tags, options)
        submission = self.run_config.submission(experiment)
        template = TrialTemplate.from_submission(submission)
        template.check_keys(list(self.hyperparameter_sampling.parameter_space))
        record = submit_run(
            experiment,
            kind=SWEEP_KIND,
            source_dir=submission["source_dir"],
            compute=CONTROLLER_COMPUTE,
            definition={
                "argv": ["{python}", "-m", CONTROLLER_MODULE],
                REDISPATCH_WHEN_LOST: True,
                "sweep": self.sweep_definition(template),
            },
            tags=run_tags,
            properties={
                METRIC_PROPERTY: self.primary_metric_name,
                GOAL_PROPERTY: self.primary_metric_goal.value,
                "mlws.sweep.compute": template.compute,
            },
            display_name=self.display_name,
            extra_files=submission.get("extra_files"),
        )
        return SweepRun(experiment.workspace, record.id)

    def __repr__(self) -> str:
        return (
            f"HyperDriveConfig({self.hyperparameter_sampling!r}, policy={self.policy!r}, "
            f"primary_metric_name={self.primary_metric_name!r}, "
            f"goal={self.primary_metric_goal.value}, max_total_runs={self.max_total_runs})"
        )
