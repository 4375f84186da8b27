"""How an interactive run starts its system-metrics sampler, which lives above tracking.

``jupyter_mlws.monitoring`` registers its sampler here when it is imported (importing
``jupyter_mlws`` does), so ``start_logging(system_metrics=True)`` needs no upward import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from jupyter_mlws.exceptions import MlwsError

if TYPE_CHECKING:
    from jupyter_mlws.store import SqlStore


class Sampler(Protocol):
    def stop(self) -> None: ...


SamplerFactory = Callable[["SqlStore", str, int, float], Sampler]
_factory: list[SamplerFactory] = []


def register(factory: SamplerFactory) -> None:
    _factory[:] = [factory]


def start(store: SqlStore, run_id: str, pid: int, interval: float) -> Sampler:
    if not _factory:
        raise MlwsError("system metrics need jupyter_mlws.monitoring: `import jupyter_mlws`")
    return _factory[0](store, run_id, pid, interval)
