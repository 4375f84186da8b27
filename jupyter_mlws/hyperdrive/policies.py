"""Early-termination policies, as Azure ML documents them.

An *interval* is one logged value of the primary metric (the k-th ``run.log(name, v)``
is interval k). A policy is applied at interval k when ``k % evaluation_interval == 0``
and ``k >= delay_evaluation``:

- ``BanditPolicy``: cancel a trial whose value at k is outside the slack of the best
  value any trial reached by interval k: below ``best / (1 + slack_factor)`` or
  ``best - slack_amount`` when maximizing (above ``best * (1 + slack_factor)`` or
  ``best + slack_amount`` when minimizing).
- ``MedianStoppingPolicy``: cancel a trial whose best value up to k is worse than the
  median of the running averages (over intervals 1..k) of all trials that reached k.
- ``TruncationSelectionPolicy``: cancel a trial whose value at k is among the lowest
  ``truncation_percentage`` % of all trials' values at k.
- ``NoTerminationPolicy``: never cancel.

``decide`` returns the decision as one sentence (stored on the trial), or None.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from typing import Any, ClassVar

from jupyter_mlws.exceptions import InvalidParameterError


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _count(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidParameterError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    return value


class EarlyTerminationPolicy:
    kind: ClassVar[str] = ""

    def __init__(self, evaluation_interval: int = 1, delay_evaluation: int = 0) -> None:
        self.evaluation_interval = _count("evaluation_interval", evaluation_interval, 1)
        self.delay_evaluation = _count("delay_evaluation", delay_evaluation, 0)

    def due(self, interval: int) -> bool:
        return interval % self.evaluation_interval == 0 and interval >= self.delay_evaluation

    def decide(
        self,
        metric: str,
        interval: int,
        values: list[float],
        others: Mapping[str, list[float]],
        maximize: bool,
    ) -> str | None:
        """``values``: this trial's first ``interval`` values; ``others``: every other
        trial's values (by trial name), whatever their length."""
        return None

    def _args(self) -> dict[str, Any]:
        return {
            "evaluation_interval": self.evaluation_interval,
            "delay_evaluation": self.delay_evaluation,
        }

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **self._args()}

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> EarlyTerminationPolicy:
        args = dict(data)
        cls = POLICIES[str(args.pop("kind"))]
        return cls(**args)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._args().items() if v is not None)
        return f"{type(self).__name__}({args})"

    def _prefix(self, interval: int) -> str:
        return f"canceled by {type(self).__name__} at step {interval}: "


class NoTerminationPolicy(EarlyTerminationPolicy):
    kind = "none"

    def __init__(self) -> None:
        super().__init__()

    def _args(self) -> dict[str, Any]:
        return {}


class BanditPolicy(EarlyTerminationPolicy):
    kind = "bandit"

    def __init__(
        self,
        evaluation_interval: int = 1,
        slack_factor: float | None = None,
        slack_amount: float | None = None,
        delay_evaluation: int = 0,
    ) -> None:
        super().__init__(evaluation_interval, delay_evaluation)
        if (slack_factor is None) == (slack_amount is None):
            raise InvalidParameterError(
                "BanditPolicy takes exactly one of slack_factor, slack_amount"
            )
        for name, value in (("slack_factor", slack_factor), ("slack_amount", slack_amount)):
            if value is not None and (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or value < 0
            ):
                raise InvalidParameterError(f"{name} must be a number ≥ 0, got {value!r}")
        self.slack_factor = slack_factor
        self.slack_amount = slack_amount

    def _args(self) -> dict[str, Any]:
        return {
            **super()._args(),
            "slack_factor": self.slack_factor,
            "slack_amount": self.slack_amount,
        }

    def decide(
        self,
        metric: str,
        interval: int,
        values: list[float],
        others: Mapping[str, list[float]],
        maximize: bool,
    ) -> str | None:
        pick = max if maximize else min
        mine = values[interval - 1]
        reached = {name: pick(v[:interval]) for name, v in others.items() if v}
        if not reached:
            return None
        best_name = pick(reached, key=lambda name: reached[name])
        best = reached[best_name]
        own = pick(values[:interval])
        if pick(own, best) == own:
            return None  # this trial is the best so far
        if self.slack_factor is not None:
            f = self.slack_factor
            bound = best / (1 + f) if maximize else best * (1 + f)
            rule = f"{_fmt(best)} / (1 + {f:g})" if maximize else f"{_fmt(best)} * (1 + {f:g})"
        else:
            a = float(self.slack_amount or 0.0)
            bound = best - a if maximize else best + a
            rule = f"{_fmt(best)} {'-' if maximize else '+'} {a:g}"
        if (mine < bound) if maximize else (mine > bound):
            sign = "<" if maximize else ">"
            return (
                f"{self._prefix(interval)}{metric} {_fmt(mine)} {sign} {rule} = {_fmt(bound)} "
                f"(best: {best_name})"
            )
        return None


class MedianStoppingPolicy(EarlyTerminationPolicy):
    kind = "median"

    def decide(
        self,
        metric: str,
        interval: int,
        values: list[float],
        others: Mapping[str, list[float]],
        maximize: bool,
    ) -> str | None:
        averages = [statistics.fmean(v[:interval]) for v in others.values() if len(v) >= interval]
        if not averages:
            return None  # nobody to compare with
        averages.append(statistics.fmean(values[:interval]))
        median = statistics.median(averages)
        best = (max if maximize else min)(values[:interval])
        if (best < median) if maximize else (best > median):
            sign = "<" if maximize else ">"
            return (
                f"{self._prefix(interval)}best {metric} {_fmt(best)} {sign} median of running "
                f"averages {_fmt(median)} ({len(averages)} trials)"
            )
        return None


class TruncationSelectionPolicy(EarlyTerminationPolicy):
    kind = "truncation"

    def __init__(
        self, truncation_percentage: int, evaluation_interval: int = 1, delay_evaluation: int = 0
    ) -> None:
        super().__init__(evaluation_interval, delay_evaluation)
        pct = truncation_percentage
        if isinstance(pct, bool) or not isinstance(pct, int) or not 1 <= pct <= 99:
            raise InvalidParameterError(
                f"truncation_percentage must be an integer from 1 to 99, got {pct!r}"
            )
        self.truncation_percentage = pct

    def _args(self) -> dict[str, Any]:
        return {"truncation_percentage": self.truncation_percentage, **super()._args()}

    def decide(
        self,
        metric: str,
        interval: int,
        values: list[float],
        others: Mapping[str, list[float]],
        maximize: bool,
    ) -> str | None:
        mine = values[interval - 1]
        at_k = [v[interval - 1] for v in others.values() if len(v) >= interval]
        count = len(at_k) + 1
        cut = count * self.truncation_percentage // 100
        if cut == 0:
            return None
        # how many trials are strictly worse than this one: fewer than ``cut`` → truncated
        worse = sum(1 for v in at_k if (v < mine if maximize else v > mine))
        if worse < cut:
            return (
                f"{self._prefix(interval)}{metric} {_fmt(mine)} is in the lowest "
                f"{self.truncation_percentage}% of {count} trials at this interval"
            )
        return None


POLICIES: dict[str, type[EarlyTerminationPolicy]] = {
    c.kind: c
    for c in (NoTerminationPolicy, BanditPolicy, MedianStoppingPolicy, TruncationSelectionPolicy)
}

# the CLI's short keys (``--policy bandit:slack=0.1,interval=1,delay=3``)
_ALIASES = {
    "slack": "slack_factor",
    "factor": "slack_factor",
    "amount": "slack_amount",
    "interval": "evaluation_interval",
    "delay": "delay_evaluation",
    "percent": "truncation_percentage",
    "percentage": "truncation_percentage",
}


def parse_policy(text: str) -> EarlyTerminationPolicy:
    """``bandit:slack=0.1,delay=3`` · ``median:delay=5`` · ``truncation:percent=20`` · ``none``."""
    kind, _, rest = text.strip().partition(":")
    kind = {"no": "none", "notermination": "none"}.get(kind.lower(), kind.lower())
    if kind not in POLICIES:
        raise InvalidParameterError(
            f"unknown policy {kind!r}; known: {', '.join(POLICIES)} (e.g. bandit:slack=0.1)"
        )
    args: dict[str, Any] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, sep, value = item.partition("=")
        if not sep:
            raise InvalidParameterError(f"policy option {item!r} must be key=value")
        name = _ALIASES.get(key.strip(), key.strip())
        try:
            number: float = float(value)
        except ValueError:
            raise InvalidParameterError(f"policy option {key}={value!r} must be a number") from None
        args[name] = int(number) if name != "slack_factor" and name != "slack_amount" else number
    try:
        return POLICIES[kind](**args)
    except TypeError:
        raise InvalidParameterError(
            f"{kind} policy does not take {', '.join(args)}; see help for its options"
        ) from None
