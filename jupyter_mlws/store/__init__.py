"""The SQL store (SQLite by default, PostgreSQL for teams): plain objects in and out."""

from __future__ import annotations

from jupyter_mlws.permissions import AccessModes
from jupyter_mlws.store.activity import ActivityMixin
from jupyter_mlws.store.changes import ChangesMixin
from jupyter_mlws.store.data import DataMixin
from jupyter_mlws.store.endpoints import EndpointsMixin
from jupyter_mlws.store.engine import ensure_schema, make_engine
from jupyter_mlws.store.environments import EnvironmentsMixin
from jupyter_mlws.store.experiments import ExperimentsMixin
from jupyter_mlws.store.files import FilesMixin
from jupyter_mlws.store.logs import LogsMixin
from jupyter_mlws.store.metrics import MetricSeries, MetricsMixin
from jupyter_mlws.store.models import ModelsMixin
from jupyter_mlws.store.pipelines import PipelinesMixin
from jupyter_mlws.store.registry_meta import RegistryMetaMixin
from jupyter_mlws.store.runs import RunsMixin
from jupyter_mlws.store.targets import TargetsMixin
from jupyter_mlws.store.values import ValuesMixin


class SqlStore(
    ExperimentsMixin,
    RunsMixin,
    MetricsMixin,
    ValuesMixin,
    LogsMixin,
    FilesMixin,
    TargetsMixin,
    ModelsMixin,
    RegistryMetaMixin,
    EndpointsMixin,
    ChangesMixin,
    EnvironmentsMixin,
    DataMixin,
    PipelinesMixin,
    ActivityMixin,
):
    """Every query of the workspace database, one concept module per mixin."""


def open_store(url: str, modes: AccessModes | None = None) -> SqlStore:
    """``modes``: who may read a SQLite file created here (default: its owner only)."""
    engine = make_engine(url, modes)
    try:
        ensure_schema(engine)
    except BaseException:
        engine.dispose()  # a refused database keeps no connection open
        raise
    return SqlStore(engine)


__all__ = ["MetricSeries", "SqlStore", "open_store"]
