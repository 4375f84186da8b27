"""Data collection of an endpoint, the workspace side: settings, the deploy-time check,
and the collected records read back.

The service writes (``runtime/collector.py``); this module decides where at deploy (the
workspace's default datastore, under ``collected/<endpoint>/<models>/YYYY/MM/DD/HH/``),
refuses a bad sampling rate or a datastore it cannot write to before anything is
deployed, and reads the hourly partitions of a time window back as records.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from jupyter_mlws.entities import ModelVersion
from jupyter_mlws.serving.errors import DataCollectionError
from jupyter_mlws.serving.runtime.collection_format import (
    COLUMNS,
    DEFAULT_FLUSH_S,
    DEFAULT_QUEUE_SIZE,
)

AREA = "collected"


class DatastoreLike(Protocol):
    """What collection needs of a ``jupyter_mlws.data.Datastore`` (serving cannot import it)."""

    @property
    def name(self) -> str: ...

    @property
    def url(self) -> str: ...

    def filesystem(self) -> tuple[Any, str]: ...


@dataclass(frozen=True)
class DataCollection:
    """Kept in the endpoint's settings; the service gets it with a ``prefix`` added."""

    rate: float
    datastore: str
    url: str
    format: str = "jsonl"  # or "parquet" (pyarrow)
    queue_size: int = DEFAULT_QUEUE_SIZE
    flush_s: float = DEFAULT_FLUSH_S

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DataCollection:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def service_settings(self, endpoint: str, versions: Sequence[ModelVersion]) -> dict[str, Any]:
        return {**self.to_dict(), "prefix": partition_prefix(endpoint, versions)}


def check_rate(rate: Any) -> float:
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= 1:
        raise DataCollectionError(
            f"sampling_rate must be a number with 0 < rate <= 1 (1 = every request), got {rate!r}"
        )
    return float(rate)


def for_datastore(
    datastore: DatastoreLike,
    rate: Any,
    *,
    queue_size: int = DEFAULT_QUEUE_SIZE,
    flush_s: float = DEFAULT_FLUSH_S,
) -> DataCollection:
    """Checked now, before anything is deployed: the rate, the queue, and a test write."""
    checked = check_rate(rate)
    if isinstance(queue_size, bool) or not isinstance(queue_size, int) or queue_size < 1:
        raise DataCollectionError(
            f"the collection queue needs room for 1 record, got {queue_size!r}"
        )
    if not flush_s > 0:
        raise DataCollectionError(f"flush_s must be positive, got {flush_s!r}")
    _probe(datastore)
    wanted = "parquet" if importlib.util.find_spec("pyarrow") is not None else "jsonl"
    return DataCollection(checked, datastore.name, datastore.url, wanted, queue_size, flush_s)


def _probe(datastore: DatastoreLike) -> None:
    what = f"datastore {datastore.name!r} ({datastore.url}) is not writable for collected data"
    try:
        fs, root = datastore.filesystem()
        folder = f"{root}/{AREA}"
        probe = f"{folder}/.probe-{uuid.uuid4().hex}"
        fs.makedirs(folder, exist_ok=True)
        fs.pipe_file(probe, b"")
        fs.rm_file(probe)
    except DataCollectionError:
        raise
    except Exception as exc:
        text = (str(exc).strip() or type(exc).__name__).splitlines()[0][:200]
        raise DataCollectionError(f"{what}: {text}") from None


def partition_prefix(endpoint: str, versions: Sequence[ModelVersion]) -> str:
    """``collected/<endpoint>/<model>-v<version>`` (models joined with ``+`` when several)."""
    label = "+".join(f"{v.name}-v{v.version}" for v in sorted(versions, key=lambda v: v.name))
    return f"{AREA}/{endpoint}/{label or 'none'}"


def open_store(settings: dict[str, Any]) -> tuple[Any, str]:
    """The filesystem of the deploy-time datastore (the default one: no credentials)."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(str(settings["url"]))
    return fs, str(root).rstrip("/")


def dataset_pattern(endpoint: str, fmt: str) -> str:
    return f"{AREA}/{endpoint}/**/*.{'parquet' if fmt == 'parquet' else 'jsonl'}"


# ---- reading back ---------------------------------------------------------------------


def read_records(
    fs: Any,
    root: str,
    endpoint: str,
    since_ms: int,
    until_ms: int,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Records of ``endpoint`` in the window, oldest first; input and output decoded."""
    base = f"{root}/{AREA}/{endpoint}"
    fs.invalidate_cache()
    try:
        found = [str(p) for p in fs.find(base)]
    except FileNotFoundError:
        return []
    first_hour = _hour(since_ms)
    records: list[dict[str, Any]] = []
    for path in found:
        hour = _hour_of_path(path)
        if hour is None or hour < first_hour or hour > _hour(until_ms):
            continue
        for record in _read_file(fs, path):
            ts = record.get("ts")
            if isinstance(ts, int) and since_ms <= ts <= until_ms:
                records.append(record)
    records.sort(key=lambda r: (r["ts"], r.get("request_id", "")))
    return records[-limit:] if limit else records


def _read_file(fs: Any, path: str) -> list[dict[str, Any]]:
    try:
        content = fs.cat_file(path)
    except FileNotFoundError:
        return []
    if path.endswith(".parquet"):
        import io

        import pyarrow.parquet as pq

        # One partition is small; no Arrow pool threads, which a short-lived CLI process
        # could leave running at exit (CI saw "terminate called without an active
        # exception", SIGABRT, after `mlws endpoint data` had printed its answer).
        rows = pq.read_table(io.BytesIO(content), use_threads=False).to_pylist()
        for row in rows:
            row["models"] = [m for m in str(row.get("models") or "").split(", ") if m]
            for key in ("input", "output"):
                with contextlib.suppress(TypeError, ValueError):
                    row[key] = json.loads(row[key])
        return rows
    if not path.endswith(".jsonl"):
        return []
    rows = []
    for line in content.splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            if isinstance(entry, dict):
                rows.append(entry)
    return rows


def _hour(ms: int) -> str:
    return time.strftime("%Y/%m/%d/%H", time.gmtime(ms / 1000))


def _hour_of_path(path: str) -> str | None:
    parts = path.split("/")
    if len(parts) < 5:
        return None
    hour = "/".join(parts[-5:-1])
    return hour if all(p.isdigit() for p in parts[-5:-1]) else None


def to_frame(records: list[dict[str, Any]]) -> Any:
    import pandas as pd

    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    frame["time"] = pd.to_datetime(frame["time"], utc=True, format="ISO8601")
    return frame


def collection_counts(metrics_dir: Path) -> dict[str, int] | None:
    """Since the service started (its Prometheus folder): collected, dropped, failed."""
    if not metrics_dir.is_dir() or importlib.util.find_spec("prometheus_client") is None:
        return None
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(metrics_dir))
    counts = {"collected": 0, "dropped": 0, "failed": 0}
    names = {
        "mlws_collected_records_total": "collected",
        "mlws_collected_dropped_total": "dropped",
        "mlws_collected_failed_total": "failed",
    }
    for family in registry.collect():
        for sample in family.samples:
            key = names.get(sample.name)
            if key:
                counts[key] += int(sample.value)
    return counts
