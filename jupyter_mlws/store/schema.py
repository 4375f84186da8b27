"""The relational schema (SQLAlchemy Core). Alembic migrations under `migrations/` create it.

Core, not the ORM: metric writes go through executemany of plain tuples, which is what
makes hundreds of thousands of points per second possible.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

experiments = Table(
    "experiments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(256), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("archived", Boolean, nullable=False, server_default=text("false")),
    Column("next_run_number", Integer, nullable=False, server_default=text("1")),
    # One active experiment per name; archived ones keep theirs (Azure semantics).
    Index(
        "ix_experiments_active_name",
        "name",
        unique=True,
        sqlite_where=text("archived = 0"),
        postgresql_where=text("archived = false"),
    ),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("id", String(64), primary_key=True),  # digest of the manifest blob
    Column("created_ms", BigInteger, nullable=False),
    Column("file_count", Integer, nullable=False),
    Column("total_bytes", BigInteger, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String(32), nullable=False, unique=True),
    Column("experiment_id", Integer, ForeignKey("experiments.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("display_name", String(256), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("compute", String(128), nullable=False),
    Column("parent_pk", Integer, ForeignKey("runs.pk"), nullable=True),
    Column("snapshot_id", String(64), ForeignKey("snapshots.id"), nullable=True),
    Column("definition", Text, nullable=False, server_default=text("'{}'")),
    Column("error", Text, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("started_ms", BigInteger, nullable=True),
    Column("ended_ms", BigInteger, nullable=True),
    Column("heartbeat_ms", BigInteger, nullable=True),
    Column("updated_ms", BigInteger, nullable=False),
    Column("host", String(256), nullable=True),
    Column("pid", Integer, nullable=True),
    Column("pid_started", Float, nullable=True),
    UniqueConstraint("experiment_id", "number", name="uq_runs_experiment_number"),
    Index("ix_runs_experiment_created", "experiment_id", "created_ms"),
    Index("ix_runs_status_compute", "status", "compute"),
    Index("ix_runs_parent", "parent_pk"),
    Index("ix_runs_updated", "updated_ms"),
)


def _key_value_table(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("run_pk", Integer, ForeignKey("runs.pk"), primary_key=True),
        Column("key", String(250), primary_key=True),
        Column("value", Text, nullable=False),
    )


run_params = _key_value_table("run_params")
run_tags = _key_value_table("run_tags")
run_properties = _key_value_table("run_properties")

# One row per (run, metric key): the interned id the points refer to, plus the
# latest/min/max values so run lists and sorting never scan the history.
metric_series = Table(
    "metric_series",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_pk", Integer, ForeignKey("runs.pk"), nullable=False),
    Column("experiment_id", Integer, nullable=False),
    Column("key", String(250), nullable=False),
    Column("count", BigInteger, nullable=False, server_default=text("0")),
    Column("next_seq", Integer, nullable=False, server_default=text("0")),
    Column("last_step", BigInteger, nullable=True),
    Column("last_ts", BigInteger, nullable=True),
    Column("last_value", Float, nullable=True),
    Column("min_value", Float, nullable=True),
    Column("max_value", Float, nullable=True),
    UniqueConstraint("run_pk", "key", name="uq_metric_series_run_key"),
    Index("ix_metric_series_sort", "experiment_id", "key", "last_value"),
)

# Points are stored columnar, in blocks of up to BLOCK_POINTS points sorted by
# (step, timestamp): reading a million points is a few hundred blob reads, and a flush
# of the metric writer is one insert per series. Blocks of a series never overlap in
# (step, timestamp), so exact duplicates are dropped when they are written.
BLOCK_POINTS = 4096

metric_blocks = Table(
    "metric_blocks",
    metadata,
    Column("series_id", Integer, ForeignKey("metric_series.id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("first_step", BigInteger, nullable=False),
    Column("first_ts", BigInteger, nullable=False),
    Column("last_step", BigInteger, nullable=False),
    Column("last_ts", BigInteger, nullable=False),
    Column("n", Integer, nullable=False),
    Column("has_nan", Boolean, nullable=False),
    Column("steps", LargeBinary, nullable=False),  # little-endian int64
    Column("timestamps", LargeBinary, nullable=False),  # little-endian int64, ms
    Column("vals", LargeBinary, nullable=False),  # little-endian float64
    Index("ix_metric_blocks_last", "series_id", "last_step", "last_ts"),
)

# Non-scalar logged values (strings, lists, rows, tables, images) as JSON.
run_values = Table(
    "run_values",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.pk"), primary_key=True),
    Column("key", String(250), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("value", Text, nullable=False),
    Column("ts", BigInteger, nullable=False),
)

# Logs live in the store as chunks so that any machine can tail them by offset.
log_chunks = Table(
    "log_chunks",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.pk"), primary_key=True),
    Column("name", String(250), primary_key=True),
    Column("offset", BigInteger, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

artifacts = Table(
    "artifacts",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.pk"), primary_key=True),
    Column("path", String(1024), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mode", Integer, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)

compute_targets = Table(
    "compute_targets",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("config", Text, nullable=False, server_default=text("'{}'")),
    Column("state", Text, nullable=False, server_default=text("'{}'")),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

# ---- model registry and endpoints (revision 0002) ---------------------------------

# A model is a name; its versions hold the files. ``next_version`` only ever grows, so a
# deleted version's number is never handed out again.
models = Table(
    "models",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(256), nullable=False, unique=True),
    Column("next_version", Integer, nullable=False, server_default=text("1")),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    Column("description", Text, nullable=True),  # revision 0007
)

model_versions = Table(
    "model_versions",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("model_id", Integer, ForeignKey("models.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("description", Text, nullable=True),
    Column("framework", String(64), nullable=True),
    Column("framework_version", String(64), nullable=True),
    Column("root", String(1024), nullable=False),  # name of the registered file or folder
    Column("file_count", Integer, nullable=False),
    Column("total_bytes", BigInteger, nullable=False),
    # lineage: the run that produced it, that run's snapshot and experiment
    Column("run_pk", Integer, ForeignKey("runs.pk"), nullable=True),
    Column("experiment_id", Integer, ForeignKey("experiments.id"), nullable=True),
    Column("snapshot_id", String(64), nullable=True),
    Column("datasets", Text, nullable=False, server_default=text("'[]'")),
    Column("created_ms", BigInteger, nullable=False),
    # revision 0007: MLflow's stage (None/Staging/Production/Archived) and source URI
    Column("stage", String(32), nullable=False, server_default=text("'None'")),
    Column("source", Text, nullable=True),
    Column("updated_ms", BigInteger, nullable=True),
    UniqueConstraint("model_id", "version", name="uq_model_versions_model_version"),
    Index("ix_model_versions_run", "run_pk"),
)


def _model_kv_table(name: str) -> Table:
    return Table(
        name,
        metadata,
        Column("version_pk", Integer, ForeignKey("model_versions.pk"), primary_key=True),
        Column("key", String(250), primary_key=True),
        Column("value", Text, nullable=False),
        Index(f"ix_{name}_key", "key"),
    )


model_version_tags = _model_kv_table("model_version_tags")
model_version_properties = _model_kv_table("model_version_properties")

model_files = Table(
    "model_files",
    metadata,
    Column("version_pk", Integer, ForeignKey("model_versions.pk"), primary_key=True),
    Column("path", String(1024), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mode", Integer, nullable=False),
)

# Movable names for versions (``production``, ``staging``): one version per alias.
model_aliases = Table(
    "model_aliases",
    metadata,
    Column("model_id", Integer, ForeignKey("models.id"), primary_key=True),
    Column("alias", String(128), primary_key=True),
    Column("version_pk", Integer, ForeignKey("model_versions.pk"), nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

endpoints = Table(
    "endpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False, unique=True),
    Column("state", String(32), nullable=False),
    Column("host", String(256), nullable=True),  # machine the service runs on
    Column("bind", String(64), nullable=False),  # address it listens on
    Column("port", Integer, nullable=True),
    Column("pid", Integer, nullable=True),
    Column("pid_started", Float, nullable=True),
    Column("workers", Integer, nullable=False),
    Column("auth", String(16), nullable=False),
    Column("generation", Integer, nullable=False, server_default=text("0")),
    Column("config", Text, nullable=False, server_default=text("'{}'")),
    Column("error", Text, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

# The model versions an endpoint serves: what makes deleting a deployed version refuse.
endpoint_models = Table(
    "endpoint_models",
    metadata,
    Column("endpoint_id", Integer, ForeignKey("endpoints.id"), primary_key=True),
    Column("version_pk", Integer, ForeignKey("model_versions.pk"), primary_key=True),
    Index("ix_endpoint_models_version", "version_pk"),
)

# Keys are stored as sha256 digests only: the clear key is shown once, when made.
endpoint_keys = Table(
    "endpoint_keys",
    metadata,
    Column("endpoint_id", Integer, ForeignKey("endpoints.id"), primary_key=True),
    Column("slot", String(16), primary_key=True),
    Column("key_hash", String(64), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)

# Telemetry: one row per worker and flush window; latencies as a sparse histogram
# (bucket → count) so windows and workers merge exactly into percentiles.
endpoint_metrics = Table(
    "endpoint_metrics",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("endpoint_id", Integer, ForeignKey("endpoints.id"), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("worker_pid", Integer, nullable=False),
    Column("start_ms", BigInteger, nullable=False),
    Column("end_ms", BigInteger, nullable=False),
    Column("count", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("client_errors", Integer, nullable=False),
    Column("total_ms", Float, nullable=False),
    Column("histogram", Text, nullable=False),
    Index("ix_endpoint_metrics_endpoint_start", "endpoint_id", "start_ms"),
)

# Environment versions: the spec is immutable; the lock (exact resolved versions) is set
# by the first build and never changes after, so reruns and redeploys get the same
# packages. The build state is that of the last build attempt on any machine.
environments = Table(
    "environments",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("name", String(256), nullable=False),
    Column("version", Integer, nullable=False),
    Column("spec", Text, nullable=False),
    Column("spec_hash", String(64), nullable=False),
    Column("lock", Text, nullable=True),
    Column("lock_hash", String(64), nullable=True),
    Column("state", String(16), nullable=False, server_default=text("'NotBuilt'")),
    Column("error", Text, nullable=True),
    Column("size_bytes", BigInteger, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("built_ms", BigInteger, nullable=True),
    Column("last_used_ms", BigInteger, nullable=True),
    UniqueConstraint("name", "version", name="uq_environments_name_version"),
    Index("ix_environments_spec", "name", "spec_hash"),
)


# ---- data: key vault, datastores, datasets (issue 12) ---------------------------------

# Secret values are Fernet tokens; the key lives outside the database (data/keyvault.py).
secrets = Table(
    "secrets",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("ciphertext", LargeBinary, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

# Options hold plain settings and {"secret": NAME} references, never a credential.
datastores = Table(
    "datastores",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("url", String(2048), nullable=False),
    Column("options", Text, nullable=False, server_default=text("'{}'")),
    Column("created_ms", BigInteger, nullable=False),
)

datasets = Table(
    "datasets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(256), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # file | tabular
    Column("next_version", Integer, nullable=False, server_default=text("1")),
    Column("created_ms", BigInteger, nullable=False),
)

# A version is immutable: where (datastore + pattern), how to read it, and what matched
# (a fingerprint over listing metadata plus the listing itself).
dataset_versions = Table(
    "dataset_versions",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("dataset_id", Integer, ForeignKey("datasets.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("datastore", String(128), nullable=False),
    Column("pattern", String(2048), nullable=False),
    Column("reader", Text, nullable=False, server_default=text("'{}'")),
    Column("fingerprint", String(64), nullable=False),
    Column("file_count", Integer, nullable=False),
    Column("total_bytes", BigInteger, nullable=False),
    Column("files", Text, nullable=False),
    Column("profile", Text, nullable=True),
    Column("description", Text, nullable=True),
    Column("run_pk", Integer, ForeignKey("runs.pk"), nullable=True),  # the run that wrote it
    Column("created_ms", BigInteger, nullable=False),
    UniqueConstraint("dataset_id", "version", name="uq_dataset_versions_dataset_version"),
    Index("ix_dataset_versions_fingerprint", "dataset_id", "fingerprint"),
)

# Lineage: which dataset versions a run read (input) or wrote (output).
run_datasets = Table(
    "run_datasets",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.pk"), primary_key=True),
    Column("version_pk", Integer, ForeignKey("dataset_versions.pk"), primary_key=True),
    Column("direction", String(8), primary_key=True),  # input | output
    Column("name", String(256), nullable=False),
    Column("changed", Boolean, nullable=False, server_default=text("false")),
    Column("created_ms", BigInteger, nullable=False),
    Index("ix_run_datasets_version", "version_pk"),
)


# ---- pipelines: step state, published versions, endpoints, schedules (issue 14) --------

# One row per step of a pipeline run: the controller's state (it survives the controller),
# the reuse key and the components it was made of (to explain why a step ran).
pipeline_steps = Table(
    "pipeline_steps",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("pipeline_run_id", String(32), nullable=False),
    Column("experiment_id", Integer, nullable=False),
    Column("name", String(256), nullable=False),
    Column("status", String(32), nullable=False),
    Column("step_run_id", String(32), nullable=True),
    Column("reused_from", String(32), nullable=True),  # the run whose outputs are reused
    Column("reuse_key", String(64), nullable=True),
    Column("components", Text, nullable=True),
    Column("outputs", Text, nullable=True),  # output name -> digest of its files
    Column("reason", Text, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    UniqueConstraint("pipeline_run_id", "name", name="uq_pipeline_steps_run_name"),
    Index("ix_pipeline_steps_key", "reuse_key", "status"),
    Index("ix_pipeline_steps_name", "experiment_id", "name"),
)

# A published pipeline is immutable: its definition is never updated.
published_pipelines = Table(
    "published_pipelines",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("version", Integer, nullable=False),
    Column("description", Text, nullable=True),
    Column("definition", Text, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    UniqueConstraint("name", "version", name="uq_published_pipelines_name_version"),
)

pipeline_endpoints = Table(
    "pipeline_endpoints",
    metadata,
    Column("name", String(256), primary_key=True),
    Column("description", Text, nullable=True),
    Column("default_version", Integer, nullable=False),
    Column("next_version", Integer, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)

pipeline_endpoint_versions = Table(
    "pipeline_endpoint_versions",
    metadata,
    Column("endpoint", String(256), ForeignKey("pipeline_endpoints.name"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("published_id", String(32), ForeignKey("published_pipelines.id"), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)

schedules = Table(
    "schedules",
    metadata,
    Column("name", String(256), primary_key=True),
    Column("kind", String(16), nullable=False),  # cron | interval | watch
    Column("spec", Text, nullable=False),  # cron expression, interval, watched path, ...
    Column("target", Text, nullable=False),  # endpoint/published pipeline, experiment, params
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("state", Text, nullable=False, server_default=text("'{}'")),  # last fingerprint
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

# The primary key decides which of several racing schedulers fires a due time.
schedule_firings = Table(
    "schedule_firings",
    metadata,
    Column("schedule", String(256), primary_key=True),
    Column("due_ms", BigInteger, primary_key=True),
    Column("fired_ms", BigInteger, nullable=False),
    Column("run_id", String(32), nullable=True),
    Column("error", Text, nullable=True),
)

# ---- registered-model tags, experiment tags, deleted runs (revision 0007) -----------

model_tags = Table(
    "model_tags",
    metadata,
    Column("model_id", Integer, ForeignKey("models.id"), primary_key=True),
    Column("key", String(250), primary_key=True),
    Column("value", Text, nullable=False),
)

experiment_tags = Table(
    "experiment_tags",
    metadata,
    Column("experiment_id", Integer, ForeignKey("experiments.id"), primary_key=True),
    Column("key", String(250), primary_key=True),
    Column("value", Text, nullable=False),
)

# A run deleted through the MLflow API: hidden from its searches until restored (the
# run and its data stay; a workspace keeps its runs).
deleted_runs = Table(
    "deleted_runs",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.pk"), primary_key=True),
    Column("deleted_ms", BigInteger, nullable=False),
)

# ---- the activity log (revision 0008) -----------------------------------------------

# Who changed what, when and through which front door: one row per create, update or
# delete, written in the transaction of the change. ``changes`` is JSON of what changed
# (names of secrets, never their values).
activity = Table(
    "activity",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("time_ms", BigInteger, nullable=False),
    Column("user_name", String(256), nullable=False),
    Column("door", String(32), nullable=False),
    Column("action", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("name", String(512), nullable=False),
    Column("changes", Text, nullable=False, server_default=text("'{}'")),
    Index("ix_activity_time", "time_ms"),
    Index("ix_activity_kind_time", "kind", "time_ms"),
)
