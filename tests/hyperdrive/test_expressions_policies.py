"""Parameter expressions and policies: v1 semantics, bad input refused."""

import pytest

from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.hyperdrive import (
    BanditPolicy,
    BayesianParameterSampling,
    GridParameterSampling,
    choice,
    loguniform,
    uniform,
)
from jupyter_mlws.hyperdrive.expressions import parse


def test_loguniform_bounds_are_exponents_and_parse_reads_cli_text() -> None:
    expr = parse("loguniform(-6, -1)")
    assert expr == loguniform(-6, -1)
    assert expr.distribution().low == pytest.approx(2.718281828**-6)


@pytest.mark.parametrize("text", ["uniform(2, 1)", "nosuch(1)", "choice()", "quniform(0, 1, 0)"])
def test_bad_expressions_are_refused(text: str) -> None:
    with pytest.raises(InvalidParameterError):
        parse(text)


def test_grid_refuses_continuous_and_bayesian_refuses_policies() -> None:
    with pytest.raises(InvalidParameterError, match="continuous: lr"):
        GridParameterSampling({"lr": uniform(0, 1)})
    with pytest.raises(InvalidParameterError, match="early termination"):
        BayesianParameterSampling({"x": choice(1, 2)}).check_policy(BanditPolicy(slack_factor=0.1))


def test_bandit_cancels_outside_the_slack_of_the_best_trial() -> None:
    policy = BanditPolicy(slack_factor=0.1)
    decision = policy.decide("val_acc", 1, [0.61], {"t0": [0.80]}, maximize=True)
    assert decision is not None and "0.61 < 0.8 / (1 + 0.1)" in decision
    assert policy.decide("val_acc", 1, [0.75], {"t0": [0.80]}, maximize=True) is None


def test_grid_trials_asked_one_after_another_take_distinct_cells() -> None:
    from jupyter_mlws.hyperdrive.sampling import PastTrial, ask

    sampling = GridParameterSampling({"q": choice(0.3, 0.5, 0.9)})
    past: list[PastTrial] = []
    for index in range(3):
        values, cell = ask(sampling, past, maximize=True, index=index, base_seed=11)
        past.append(PastTrial(internal=values, state="running", grid_id=cell))
    assert sorted(p.internal["q"] for p in past) == [0.3, 0.5, 0.9]
