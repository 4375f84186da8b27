"""A generation's folder: the source snapshot and the model files, and its service config."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from jupyter_mlws.artifacts import materialize, take_snapshot
from jupyter_mlws.entities import ModelVersion
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.registry import ModelRegistry
from jupyter_mlws.registry.files import write_files
from jupyter_mlws.serving.collection import DataCollection
from jupyter_mlws.serving.layout import EndpointLayout
from jupyter_mlws.serving.runtime.config import (
    DEFAULT_LOG_BACKUPS,
    DEFAULT_LOG_MAX_BYTES,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_STUCK_THREADS,
    DEFAULT_THREADS,
    DEFAULT_TIMEOUT_S,
)
from jupyter_mlws.tracking import Workspace


@dataclass(frozen=True)
class Settings:
    """What an endpoint runs, besides its models; kept in the endpoint's ``config``."""

    entry_script: str
    snapshot_id: str
    source_dir: str
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    drain_s: float = 2.0
    contract: str = "native"  # or "azureml-v1": run(raw_data) gets the body as text
    threads: int = DEFAULT_THREADS
    max_stuck_threads: int = DEFAULT_MAX_STUCK_THREADS
    environment: dict[str, Any] | None = None  # {"name", "version"}; None: inherit
    log_max_bytes: int = DEFAULT_LOG_MAX_BYTES
    log_backups: int = DEFAULT_LOG_BACKUPS
    data_collection: dict[str, Any] | None = None  # a collection.DataCollection; None: off

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def snapshot_source(
    ws: Workspace, source_dir: str | os.PathLike[str], entry_script: str
) -> tuple[str, str]:
    """Snapshot the folder holding ``score.py``; returns (snapshot id, absolute folder)."""
    source = Path(source_dir).expanduser().resolve()
    script = PurePosixPath(entry_script)
    if script.is_absolute() or ".." in script.parts:
        raise InvalidParameterError(
            f"entry_script {entry_script!r} must be a path inside source_dir ({source})"
        )
    if not (source / script).is_file():
        raise InvalidParameterError(f"entry script {entry_script!r} not found in {source}")
    snapshot = take_snapshot(
        source, ws.blobs, limits=ws.config.snapshot, cache_path=ws.cache_dir / "stat-cache.db"
    )
    ws.store.add_snapshot(snapshot.id, len(snapshot.files), snapshot.total_bytes)
    return snapshot.id, str(source)


def write_models(ws: Workspace, versions: Sequence[ModelVersion], models_dir: Path) -> None:
    """One model: its files right under the folder; several: one subfolder per model name."""
    registry = ModelRegistry(ws.store, ws.blobs)
    models_dir.mkdir(parents=True, exist_ok=True)
    for version in versions:
        target = models_dir if len(versions) == 1 else models_dir / version.name
        write_files(ws.blobs, registry.files(version), target)


def prepare_generation(
    ws: Workspace,
    layout: EndpointLayout,
    *,
    name: str,
    generation: int,
    versions: Sequence[ModelVersion],
    settings: Settings,
    bind: str,
    port: int,
    workers: int,
    auth: str,
) -> dict[str, Any]:
    """Fill ``gN/`` and return the service config (paths relative to the endpoint folder)."""
    folder = layout.generation_dir(generation)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    materialize(ws.blobs, settings.snapshot_id, folder / "src")
    write_models(ws, versions, folder / "models")
    collection = settings.data_collection
    return {
        **(
            {
                "data_collection": DataCollection.from_dict(collection).service_settings(
                    name, versions
                )
            }
            if collection
            else {}
        ),
        "name": name,
        "entry_script": f"{folder.name}/src/{settings.entry_script}",
        "source_dir": f"{folder.name}/src",
        "model_dir": f"{folder.name}/models",
        "models": [{"name": v.name, "version": v.version} for v in versions],
        "bind": bind,
        "port": port,
        "workers": workers,
        "auth": auth == "key",
        "keys_file": layout.keys_path.name,
        "timeout_s": settings.timeout_s,
        "max_body_bytes": settings.max_body_bytes,
        "drain_s": settings.drain_s,
        "threads": settings.threads,
        "max_stuck_threads": settings.max_stuck_threads,
        "generation": generation,
        "contract": settings.contract,
        "telemetry": {"db_url": ws.db_url, "endpoint": name},
        "service_log": layout.log_path.name,
        "request_log": layout.request_log_path.name,
        "log_max_bytes": settings.log_max_bytes,
        "log_backups": settings.log_backups,
        "metrics_dir": layout.metrics_dir.name,
    }
