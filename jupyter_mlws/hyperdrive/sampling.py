"""Samplings (random, grid, Bayesian = TPE), on Optuna.

The controller keeps no sampler state of its own: for every new trial it builds an
in-memory Optuna study from the trials stored in the database (internal values,
state, best primary metric, intermediate values) and asks it once, with a seed derived
from the trial's index. A restarted controller, or ``extend`` on a finished sweep,
therefore continues exactly where the database says the sweep is (warm start), and
never draws the same random sequence twice.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from jupyter_mlws.exceptions import InvalidParameterError, require
from jupyter_mlws.hyperdrive.expressions import ParameterExpression, check_space, grid_size

if TYPE_CHECKING:
    from optuna.samplers import BaseSampler

    from jupyter_mlws.hyperdrive.policies import EarlyTerminationPolicy

EXTRA = "sweeps"


@dataclass
class PastTrial:
    """What a sampler learns from one stored trial."""

    internal: dict[str, Any]
    state: str  # "complete" | "pruned" | "failed" | "running"
    value: float | None = None
    intermediate: dict[int, float] = field(default_factory=dict)
    grid_id: int | None = None


class HyperParameterSampling:
    """The search space and how to draw from it (v1: ``HyperParameterSampling``)."""

    kind: ClassVar[str] = ""

    def __init__(
        self,
        parameter_space: Mapping[str, ParameterExpression],
        properties: Mapping[str, Any] | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        self.parameter_space = check_space(parameter_space)
        self.properties = dict(properties or {})
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise InvalidParameterError(f"seed must be an integer, got {seed!r}")
        self.seed = seed
        self.validate()

    def validate(self) -> None:
        """Refuse what this sampling cannot draw from."""

    def check_policy(self, policy: EarlyTerminationPolicy) -> None:
        """Refuse a policy this sampling does not support."""

    def max_trials(self) -> int | None:
        return None

    def sampler(self, seed: int) -> BaseSampler:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "space": {k: e.to_dict() for k, e in self.parameter_space.items()},
            "properties": self.properties,
            "seed": self.seed,
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> HyperParameterSampling:
        cls = SAMPLINGS[str(data["kind"])]
        space = {k: ParameterExpression.from_dict(e) for k, e in data["space"].items()}
        return cls(space, data.get("properties"), seed=data.get("seed"))

    def __repr__(self) -> str:
        space = ", ".join(f"{k!r}: {e}" for k, e in self.parameter_space.items())
        return f"{type(self).__name__}({{{space}}})"


class RandomParameterSampling(HyperParameterSampling):
    kind = "random"

    def sampler(self, seed: int) -> BaseSampler:
        from optuna.samplers import RandomSampler

        return RandomSampler(seed=seed)


class GridParameterSampling(HyperParameterSampling):
    """Every combination of the ``choice`` values, each once."""

    kind = "grid"

    def validate(self) -> None:
        continuous = [k for k, e in self.parameter_space.items() if e.is_continuous]
        if continuous:
            raise InvalidParameterError(
                "grid sampling takes only choice parameters; continuous: " + ", ".join(continuous)
            )

    def grid(self) -> dict[str, list[Any]]:
        return {k: e.grid_values() for k, e in self.parameter_space.items()}

    def max_trials(self) -> int | None:
        return grid_size(self.parameter_space)

    def sampler(self, seed: int) -> BaseSampler:
        from optuna.samplers import GridSampler

        return GridSampler(self.grid(), seed=seed)


class BayesianParameterSampling(HyperParameterSampling):
    """Optuna's TPE; as in v1, only choice, uniform and quniform, and no early termination."""

    kind = "bayesian"
    ALLOWED: ClassVar[tuple[str, ...]] = ("choice", "uniform", "quniform")

    def validate(self) -> None:
        other = [k for k, e in self.parameter_space.items() if e.kind not in self.ALLOWED]
        if other:
            raise InvalidParameterError(
                "Bayesian sampling takes only choice, uniform and quniform parameters; not "
                + ", ".join(f"{k} ({self.parameter_space[k].kind})" for k in other)
            )

    def check_policy(self, policy: EarlyTerminationPolicy) -> None:
        if policy.kind != "none":
            raise InvalidParameterError(
                "Bayesian sampling does not support early termination: use "
                f"NoTerminationPolicy (got {type(policy).__name__})"
            )

    def sampler(self, seed: int) -> BaseSampler:
        from optuna.samplers import TPESampler

        with warnings.catch_warnings():  # constant_liar is marked experimental
            warnings.simplefilter("ignore")
            # the liar keeps concurrent trials from all landing on one promising point
            return TPESampler(seed=seed, constant_liar=True)


SAMPLINGS: dict[str, type[HyperParameterSampling]] = {
    c.kind: c for c in (RandomParameterSampling, GridParameterSampling, BayesianParameterSampling)
}


def ask(
    sampling: HyperParameterSampling,
    past: Sequence[PastTrial],
    *,
    maximize: bool,
    index: int,
    base_seed: int,
) -> tuple[dict[str, Any], int | None]:
    """The internal values of trial ``index`` (and its grid cell, for a grid)."""
    require("optuna", EXTRA)
    import optuna
    from optuna.trial import TrialState, create_trial

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    distributions = {k: e.distribution() for k, e in sampling.parameter_space.items()}
    grid = sampling.grid() if isinstance(sampling, GridParameterSampling) else None
    # a grid's seed orders its cells: one order for the whole sweep, or grid ids of
    # earlier trials would name other cells; the others draw a new sequence per trial
    seed = base_seed if grid is not None else base_seed + index
    study = optuna.create_study(
        direction="maximize" if maximize else "minimize", sampler=sampling.sampler(seed)
    )
    states = {
        "complete": TrialState.COMPLETE,
        "pruned": TrialState.PRUNED,
        "failed": TrialState.FAIL,
        "running": TrialState.RUNNING,
    }
    for trial in past:
        if set(trial.internal) != set(distributions):
            continue  # not drawn from this space (cannot happen unless edited by hand)
        attrs: dict[str, Any] = {}
        if grid is not None and trial.grid_id is not None:
            attrs = {"grid_id": trial.grid_id, "search_space": grid}
        study.add_trial(
            create_trial(
                params=trial.internal,
                distributions=distributions,
                state=states[trial.state],
                value=trial.value if trial.state == "complete" else None,
                intermediate_values=trial.intermediate,
                system_attrs=attrs,
            )
        )
    asked = study.ask(distributions)
    frozen = study.get_trials(deepcopy=False)[-1]  # the trial just asked
    grid_id = frozen.system_attrs.get("grid_id") if grid is not None else None
    return dict(asked.params), grid_id
