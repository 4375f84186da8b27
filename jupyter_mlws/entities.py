"""Plain domain objects passed between the store and everything above it.

No I/O here: these are what the store takes and returns, so that front doors and
capabilities never touch ORM rows or SQL.
"""

from __future__ import annotations

import enum
import re
import time
from dataclasses import dataclass, field
from typing import Any

from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.jsonable import json_float


def now_ms() -> int:
    return int(time.time() * 1000)


class RunStatus(str, enum.Enum):
    NOT_STARTED = "NotStarted"
    QUEUED = "Queued"
    PREPARING = "Preparing"
    RUNNING = "Running"
    FINALIZING = "Finalizing"
    CANCEL_REQUESTED = "CancelRequested"
    COMPLETED = "Completed"
    FAILED = "Failed"
    CANCELED = "Canceled"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES

    @property
    def is_active(self) -> bool:
        """A process is (or should be) executing the run right now."""
        return self in ACTIVE_STATUSES

    @classmethod
    def parse(cls, value: str) -> RunStatus:
        for status in cls:
            if status.value.lower() == value.lower():
                return status
        names = ", ".join(s.value for s in cls)
        raise InvalidParameterError(f"unknown run status {value!r}; expected one of {names}")

    def __str__(self) -> str:
        return self.value


TERMINAL_STATUSES = frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELED})
ACTIVE_STATUSES = frozenset(
    {RunStatus.PREPARING, RunStatus.RUNNING, RunStatus.FINALIZING, RunStatus.CANCEL_REQUESTED}
)

# Metrics the runner samples about a run's processes (MLflow's naming). They chart and
# export like any metric, but a run's summary (``RunRecord.metrics``, tables, v1's
# ``get_metrics()``) is what the user logged.
SYSTEM_METRIC_PREFIX = "system/"


def is_system_metric(key: str) -> bool:
    return key.startswith(SYSTEM_METRIC_PREFIX)


# Run kinds whose job is a controller (a sweep's, a pipeline's): it mostly waits for its
# children on the same target, so it neither takes nor waits for one of the target's
# slots; otherwise a target with one slot would deadlock on its first sweep.
CONTROLLER_KINDS = frozenset({"sweep", "pipeline"})

_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-. /:]{0,249}$")


def validate_name(kind: str, name: str) -> str:
    """Names of metrics, params, tags and experiments: printable, no path tricks."""
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name) or ".." in name.split("/"):
        raise InvalidParameterError(
            f"invalid {kind} name {name!r}: use 1-250 letters, digits, '_', '-', '.', ' ', "
            "'/' or ':', starting with a letter, digit or '_'"
        )
    return name


def validate_metric_value(name: str, value: Any) -> float:
    """Numbers and bools become floats; NaN and ±inf are kept as they are."""
    try:
        if isinstance(value, (bool, int, float)):
            return float(value)
        try:  # numpy scalars and 0-d arrays
            return float(value.item())
        except (AttributeError, TypeError, ValueError):
            pass
    except OverflowError:
        raise InvalidParameterError(
            f"metric {name!r} is too large for a float64: {_short(value)}"
        ) from None
    raise InvalidParameterError(
        f"metric {name!r} must be a number or bool, got {type(value).__name__}: {value!r}"
    )


def _short(value: Any, limit: int = 60) -> str:
    """A value as a user would recognise it, cut short (10**400 has 401 digits)."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to convert to a string
        return f"a {type(value).__name__} too large to print"
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


@dataclass(frozen=True)
class Experiment:
    id: int
    name: str
    created_ms: int
    archived: bool = False
    run_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "created_ms": self.created_ms,
            "archived": self.archived,
            "run_count": self.run_count,
        }


@dataclass(frozen=True)
class MetricPoint:
    key: str
    value: float
    step: int
    timestamp: int

    def to_dict(self) -> dict[str, Any]:
        value = json_float(self.value)
        return {"key": self.key, "value": value, "step": self.step, "timestamp": self.timestamp}


@dataclass(frozen=True)
class LatestMetric:
    key: str
    value: float
    step: int
    timestamp: int
    count: int
    min: float
    max: float


@dataclass(frozen=True)
class RunRecord:
    """One row of the runs table with its params, tags, properties and latest metrics."""

    id: str
    experiment_id: int
    experiment_name: str
    number: int
    display_name: str
    kind: str
    status: RunStatus
    compute: str
    created_ms: int
    started_ms: int | None = None
    ended_ms: int | None = None
    heartbeat_ms: int | None = None
    parent_id: str | None = None
    snapshot_id: str | None = None
    definition: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    host: str | None = None
    pid: int | None = None
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def duration_ms(self) -> int | None:
        if self.started_ms is None:
            return None
        end = self.ended_ms if self.ended_ms is not None else now_ms()
        return end - self.started_ms

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "experiment_id": self.experiment_id,
            "experiment": self.experiment_name,
            "number": self.number,
            "display_name": self.display_name,
            "kind": self.kind,
            "status": self.status.value,
            "compute": self.compute,
            "created_ms": self.created_ms,
            "started_ms": self.started_ms,
            "ended_ms": self.ended_ms,
            "duration_ms": self.duration_ms,
            "parent_id": self.parent_id,
            "snapshot_id": self.snapshot_id,
            "definition": self.definition,
            "error": self.error,
            "params": self.params,
            "tags": self.tags,
            "properties": self.properties,
            "metrics": {k: json_float(v) for k, v in self.metrics.items()},
        }


@dataclass(frozen=True)
class LogChunk:
    name: str
    offset: int
    data: str


@dataclass(frozen=True)
class FileEntry:
    """A file in a manifest: a run's artifact or a snapshot member."""

    path: str
    digest: str
    size: int
    mode: int = 0o644

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "digest": self.digest, "size": self.size, "mode": self.mode}


@dataclass(frozen=True)
class RunRecordValue:
    """A non-scalar logged value: string, list, row, table or image reference."""

    key: str
    kind: str
    seq: int
    value: Any
    timestamp: int


# ---- model registry and endpoints ------------------------------------------------------


@dataclass(frozen=True)
class ModelVersion:
    """One registered version of a model, with its lineage (run, snapshot, experiment)."""

    name: str
    version: int
    created_ms: int
    root: str
    file_count: int
    total_bytes: int
    description: str | None = None
    framework: str | None = None
    framework_version: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    run_id: str | None = None
    experiment_name: str | None = None
    snapshot_id: str | None = None
    datasets: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.name}:{self.version}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "ref": self.ref,
            "created_ms": self.created_ms,
            "root": self.root,
            "file_count": self.file_count,
            "total_bytes": self.total_bytes,
            "description": self.description,
            "framework": self.framework,
            "framework_version": self.framework_version,
            "tags": self.tags,
            "properties": self.properties,
            "aliases": list(self.aliases),
            "run_id": self.run_id,
            "experiment": self.experiment_name,
            "snapshot_id": self.snapshot_id,
            "datasets": list(self.datasets),
        }


class EndpointState(str, enum.Enum):
    TRANSITIONING = "Transitioning"  # being deployed, started or updated
    HEALTHY = "Healthy"
    FAILED = "Failed"  # could not start (init() failed, port taken, …)
    DEAD = "Dead"  # recorded as running but its process is gone (crash, reboot)
    STOPPED = "Stopped"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class EndpointRecord:
    """An endpoint as the workspace records it: where it listens and what it serves."""

    name: str
    state: EndpointState
    bind: str
    port: int | None
    workers: int
    auth: str
    generation: int
    created_ms: int
    updated_ms: int
    host: str | None = None
    pid: int | None = None
    pid_started: float | None = None
    models: tuple[str, ...] = ()
    config: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None

    @property
    def scoring_uri(self) -> str | None:
        if self.port is None:
            return None
        return f"http://{self.bind}:{self.port}/score"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "state": self.state.value,
            "scoring_uri": self.scoring_uri,
            "bind": self.bind,
            "port": self.port,
            "pid": self.pid,
            "host": self.host,
            "workers": self.workers,
            "auth": self.auth,
            "generation": self.generation,
            "models": list(self.models),
            "config": self.config,
            "error": self.error,
            "created_ms": self.created_ms,
            "updated_ms": self.updated_ms,
        }


@dataclass(frozen=True)
class EndpointKeyInfo:
    """What the workspace knows about a key: never the key itself."""

    slot: str
    fingerprint: str  # the first characters of the key's sha256: enough to tell keys apart
    created_ms: int


@dataclass(frozen=True)
class EndpointMetricWindow:
    """Requests one worker served in one flush window; latencies as histogram buckets."""

    generation: int
    worker_pid: int
    start_ms: int
    end_ms: int
    count: int
    errors: int
    client_errors: int
    total_ms: float
    histogram: dict[int, int]


@dataclass(frozen=True)
class ComputeTargetRecord:
    """A compute target as front doors show it: definition, observed state, run counts."""

    name: str
    type: str
    status: str
    config: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    active_runs: int = 0
    queued_runs: int = 0

    @property
    def workers(self) -> int | dict[str, Any] | None:
        workers = self.state.get("workers")
        return workers if isinstance(workers, (int, dict)) else None

    @property
    def address(self) -> str:
        return str(self.state.get("address") or self.config.get("address") or "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "status": self.status,
            "workers": self.workers,
            "config": self.config,
            "state": self.state,
            "active_runs": self.active_runs,
            "queued_runs": self.queued_runs,
        }


class ChangeKind(str, enum.Enum):
    """What the change feed reports: a run's record, a run's metrics, or a whole list."""

    RUN = "run"
    METRICS = "metrics"
    EXPERIMENTS = "experiments"
    TARGETS = "targets"
    MODELS = "models"
    ENDPOINTS = "endpoints"


@dataclass(frozen=True)
class Change:
    """One thing that changed; ``version`` grows with each change of the same thing, so a
    client that saw this version already can skip it."""

    kind: ChangeKind
    version: int
    run_id: str | None = None
    experiment_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": self.kind.value, "version": self.version}
        if self.run_id is not None:
            body["run_id"] = self.run_id
            body["experiment_id"] = self.experiment_id
        return body


# ---- data: datastores and datasets (issue 12) ---------------------------------------


@dataclass(frozen=True)
class DatastoreRecord:
    """A named storage location; ``options`` hold settings and ``{"secret": NAME}``
    references, never a credential in clear."""

    name: str
    url: str
    options: dict[str, Any] = field(default_factory=dict)
    created_ms: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "options": self.options,
            "created_ms": self.created_ms,
        }


@dataclass(frozen=True)
class DatasetFile:
    """One matched file: path relative to the pattern's base, size, and the change token
    from the listing (etag, else mtime)."""

    path: str
    size: int
    token: str


@dataclass(frozen=True)
class DatasetVersion:
    name: str
    kind: str  # file | tabular
    version: int
    datastore: str
    pattern: str
    fingerprint: str
    file_count: int
    total_bytes: int
    created_ms: int
    reader: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    run_id: str | None = None  # the run that wrote it (an output dataset)
    has_profile: bool = False

    @property
    def ref(self) -> str:
        return f"{self.name}:{self.version}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "version": self.version,
            "ref": self.ref,
            "datastore": self.datastore,
            "pattern": self.pattern,
            "fingerprint": self.fingerprint,
            "file_count": self.file_count,
            "total_bytes": self.total_bytes,
            "created_ms": self.created_ms,
            "reader": self.reader,
            "description": self.description,
            "run_id": self.run_id,
        }


@dataclass(frozen=True)
class RunDatasetLink:
    """A dataset version a run read (``input``) or wrote (``output``)."""

    run_id: str
    dataset: str
    version: int
    direction: str
    name: str
    changed: bool = False

    @property
    def ref(self) -> str:
        return f"{self.dataset}:{self.version}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "dataset": self.dataset,
            "version": self.version,
            "ref": self.ref,
            "direction": self.direction,
            "name": self.name,
            "changed": self.changed,
        }
