"""Hyperparameter sweeps (Azure ML's HyperDrive): a sweep run whose children are trials.

``exp.submit(HyperDriveConfig(...))`` returns a ``SweepRun``; its controller is the
sweep run's own job, with all its state in the database (see ``controller``).
"""

from jupyter_mlws.hyperdrive.config import HyperDriveConfig, PrimaryMetricGoal
from jupyter_mlws.hyperdrive.expressions import (
    ParameterExpression,
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
from jupyter_mlws.hyperdrive.policies import (
    BanditPolicy,
    EarlyTerminationPolicy,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    TruncationSelectionPolicy,
)
from jupyter_mlws.hyperdrive.sampling import (
    BayesianParameterSampling,
    GridParameterSampling,
    HyperParameterSampling,
    RandomParameterSampling,
)
from jupyter_mlws.hyperdrive.sweep_run import SweepRun, TrialRow

__all__ = [
    "BanditPolicy",
    "BayesianParameterSampling",
    "EarlyTerminationPolicy",
    "GridParameterSampling",
    "HyperDriveConfig",
    "HyperParameterSampling",
    "MedianStoppingPolicy",
    "NoTerminationPolicy",
    "ParameterExpression",
    "PrimaryMetricGoal",
    "RandomParameterSampling",
    "SweepRun",
    "TrialRow",
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
