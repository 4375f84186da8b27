"""``azureml.train.hyperdrive``: HyperDrive under v1's names.

Native sweeps do not exist yet: every name imports, and using one raises
``NotAvailableError`` (to be mapped onto the native sweep capability when it lands).
"""

from __future__ import annotations

from typing import Any, NoReturn

from jupyter_mlws.azureml._unavailable import placeholder
from jupyter_mlws.azureml.exceptions import NotAvailableError

FEATURE = "HyperDrive sweeps (azureml.train.hyperdrive)"


class PrimaryMetricGoal:
    MAXIMIZE = "MAXIMIZE"
    MINIMIZE = "MINIMIZE"


def _unavailable(name: str) -> Any:
    def use(*args: Any, **kwargs: Any) -> NoReturn:
        raise NotAvailableError(f"{FEATURE} ({name})")

    use.__name__ = name
    return use


HyperDriveConfig = placeholder("HyperDriveConfig", FEATURE, __name__)
HyperDriveRun = placeholder("HyperDriveRun", FEATURE, __name__)
RandomParameterSampling = placeholder("RandomParameterSampling", FEATURE, __name__)
GridParameterSampling = placeholder("GridParameterSampling", FEATURE, __name__)
BayesianParameterSampling = placeholder("BayesianParameterSampling", FEATURE, __name__)
BanditPolicy = placeholder("BanditPolicy", FEATURE, __name__)
MedianStoppingPolicy = placeholder("MedianStoppingPolicy", FEATURE, __name__)
TruncationSelectionPolicy = placeholder("TruncationSelectionPolicy", FEATURE, __name__)
NoTerminationPolicy = placeholder("NoTerminationPolicy", FEATURE, __name__)

choice = _unavailable("choice")
randint = _unavailable("randint")
uniform = _unavailable("uniform")
quniform = _unavailable("quniform")
loguniform = _unavailable("loguniform")
qloguniform = _unavailable("qloguniform")
normal = _unavailable("normal")
qnormal = _unavailable("qnormal")
lognormal = _unavailable("lognormal")
qlognormal = _unavailable("qlognormal")
