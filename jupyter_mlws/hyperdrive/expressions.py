"""Parameter expressions, with Azure ML v1's meanings (``azureml.train.hyperdrive``).

Each expression has an *internal* value that the Optuna sampler draws (a choice, a
uniform number, a quantile) and a *value* the trial receives: ``loguniform(lo, hi)`` is
``exp(uniform(lo, hi))`` (the bounds are exponents), ``normal(mu, sigma)`` is drawn as a
quantile in (0, 1) mapped through the normal's inverse CDF (Optuna has no normal
distribution, and a monotone map keeps TPE's model meaningful), ``q…`` variants round
to multiples of ``q``. The sampler is always re-fed internal values, so quantization
never pushes a stored point out of its distribution.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

from jupyter_mlws.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from optuna.distributions import BaseDistribution

# a quantile never reaches 0 or 1, whose inverse CDF is infinite
_EDGE = 1e-9


@dataclass(frozen=True)
class ParameterExpression:
    """One search dimension: ``kind`` is the v1 function name, ``args`` its arguments."""

    kind: str
    args: tuple[Any, ...]

    @property
    def is_choice(self) -> bool:
        return self.kind == "choice"

    @property
    def is_continuous(self) -> bool:
        return self.kind not in ("choice", "randint")

    def distribution(self) -> BaseDistribution:
        from optuna.distributions import (
            CategoricalDistribution,
            FloatDistribution,
            IntDistribution,
        )

        a = self.args
        if self.kind == "choice":
            return CategoricalDistribution(list(a))
        if self.kind == "randint":
            return IntDistribution(0, int(a[0]) - 1)
        if self.kind in ("uniform", "quniform"):
            return FloatDistribution(float(a[0]), float(a[1]))
        if self.kind in ("loguniform", "qloguniform"):
            return FloatDistribution(math.exp(a[0]), math.exp(a[1]), log=True)
        return FloatDistribution(_EDGE, 1 - _EDGE)  # normal family: a quantile

    def value(self, internal: Any) -> Any:
        """The value a trial receives for an internal (sampled) value."""
        kind, a = self.kind, self.args
        if kind in ("choice", "randint", "uniform", "loguniform"):
            return internal
        if kind in ("quniform", "qloguniform"):
            return _quantize(float(internal), a[2])
        x = NormalDist(float(a[0]), float(a[1])).inv_cdf(min(max(internal, _EDGE), 1 - _EDGE))
        if kind.startswith("q"):
            q = a[2]
            return _quantize(math.exp(x), q) if "log" in kind else _quantize(x, q)
        return math.exp(x) if kind == "lognormal" else x

    def grid_values(self) -> list[Any]:
        if self.kind == "choice":
            return list(self.args)
        if self.kind == "randint":
            return list(range(int(self.args[0])))
        raise InvalidParameterError(
            f"grid sampling takes only choice (or randint) parameters, not {self}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "args": list(self.args)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ParameterExpression:
        return make(str(data["kind"]), *data["args"])

    def __str__(self) -> str:
        return f"{self.kind}({', '.join(repr(a) for a in self.args)})"


def _quantize(x: float, q: float) -> float | int:
    value = round(x / q) * q
    # an integer step gives integers (a batch size drawn by quniform(16, 128, 16))
    return int(value) if isinstance(q, int) else value


def _number(kind: str, what: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidParameterError(f"{kind}: {what} must be a finite number, got {value!r}")
    return value


def _range(kind: str, low: Any, high: Any) -> None:
    _number(kind, "low", low)
    _number(kind, "high", high)
    if low >= high:
        raise InvalidParameterError(f"{kind}({low!r}, {high!r}): low must be below high")


def _step(kind: str, q: Any) -> None:
    if _number(kind, "q", q) <= 0:
        raise InvalidParameterError(f"{kind}: q must be positive, got {q!r}")


def _sigma(kind: str, mu: Any, sigma: Any) -> None:
    _number(kind, "mu", mu)
    if _number(kind, "sigma", sigma) <= 0:
        raise InvalidParameterError(f"{kind}: sigma must be positive, got {sigma!r}")


def _check(kind: str, args: tuple[Any, ...]) -> None:
    arity = ARITY[kind]
    if len(args) != arity:
        raise InvalidParameterError(f"{kind} takes {arity} arguments, got {len(args)}")
    if kind == "randint":
        upper = args[0]
        if isinstance(upper, bool) or not isinstance(upper, int) or upper < 1:
            raise InvalidParameterError(
                f"randint(upper): upper must be an integer ≥ 1, got {upper!r}"
            )
    elif kind in ("uniform", "quniform", "loguniform", "qloguniform"):
        _range(kind, args[0], args[1])
    else:
        _sigma(kind, args[0], args[1])
    if kind.startswith("q"):
        _step(kind, args[2])


ARITY = {
    "randint": 1,
    "uniform": 2,
    "loguniform": 2,
    "normal": 2,
    "lognormal": 2,
    "quniform": 3,
    "qloguniform": 3,
    "qnormal": 3,
    "qlognormal": 3,
}
KINDS = ("choice", *ARITY)


def make(kind: str, *args: Any) -> ParameterExpression:
    """An expression by name (``"loguniform", -6, -1``), checked."""
    if kind not in KINDS:
        raise InvalidParameterError(
            f"unknown parameter expression {kind!r}; known: {', '.join(KINDS)}"
        )
    if kind == "choice":
        return choice(*args)
    _check(kind, args)
    return ParameterExpression(kind, tuple(args))


def choice(*options: Any) -> ParameterExpression:
    """One of the options: ``choice(16, 32)`` or ``choice([16, 32])`` or ``choice(range(4))``."""
    if len(options) == 1 and isinstance(options[0], (list, tuple, range)):
        options = tuple(options[0])
    if not options:
        raise InvalidParameterError("choice needs at least one option")
    for option in options:
        if option is not None and not isinstance(option, (bool, int, float, str)):
            raise InvalidParameterError(
                f"choice options must be numbers, strings, bools or None, got {option!r}"
            )
    if len(set(map(repr, options))) != len(options):
        raise InvalidParameterError(f"choice options repeat: {list(options)!r}")
    return ParameterExpression("choice", tuple(options))


def randint(upper: int) -> ParameterExpression:
    """A random integer in [0, upper)."""
    return make("randint", upper)


def uniform(min_value: float, max_value: float) -> ParameterExpression:
    return make("uniform", min_value, max_value)


def quniform(min_value: float, max_value: float, q: float) -> ParameterExpression:
    """``round(uniform(min, max) / q) * q``."""
    return make("quniform", min_value, max_value, q)


def loguniform(min_value: float, max_value: float) -> ParameterExpression:
    """``exp(uniform(min, max))``: the bounds are natural-log exponents."""
    return make("loguniform", min_value, max_value)


def qloguniform(min_value: float, max_value: float, q: float) -> ParameterExpression:
    return make("qloguniform", min_value, max_value, q)


def normal(mu: float, sigma: float) -> ParameterExpression:
    return make("normal", mu, sigma)


def qnormal(mu: float, sigma: float, q: float) -> ParameterExpression:
    return make("qnormal", mu, sigma, q)


def lognormal(mu: float, sigma: float) -> ParameterExpression:
    """``exp(normal(mu, sigma))``."""
    return make("lognormal", mu, sigma)


def qlognormal(mu: float, sigma: float, q: float) -> ParameterExpression:
    return make("qlognormal", mu, sigma, q)


def parse(text: str) -> ParameterExpression:
    """``"loguniform(-6, -1)"`` or ``"choice(16, 32, 'adam')"`` (the CLI's ``--param``)."""
    import ast

    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise InvalidParameterError(
            f"cannot read parameter expression {text!r}; write e.g. uniform(0.1, 1)"
        ) from None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)) or node.keywords:
        raise InvalidParameterError(
            f"cannot read parameter expression {text!r}; write e.g. choice(16, 32)"
        )
    try:
        args = [ast.literal_eval(a) for a in node.args]
    except ValueError:
        raise InvalidParameterError(
            f"arguments of {text!r} must be literals (numbers, strings)"
        ) from None
    return make(node.func.id, *args)


def check_space(space: Mapping[str, Any]) -> dict[str, ParameterExpression]:
    if not isinstance(space, Mapping) or not space:
        raise InvalidParameterError("the parameter space must be a non-empty dict")
    clean: dict[str, ParameterExpression] = {}
    for name, expr in space.items():
        if not isinstance(name, str) or not name.lstrip("-"):
            raise InvalidParameterError(f"parameter name {name!r} must be a non-empty string")
        if not isinstance(expr, ParameterExpression):
            raise InvalidParameterError(
                f"parameter {name!r} must be an expression such as choice(…) or uniform(…), "
                f"got {expr!r}"
            )
        clean[name] = expr
    return clean


def grid_size(space: Mapping[str, ParameterExpression]) -> int:
    return math.prod(len(e.grid_values()) for e in space.values())
