"""The settings of one scoring service, read from its ``service.json``."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_THREADS = 4
DEFAULT_MAX_STUCK_THREADS = 8
DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_LOG_BACKUPS = 5


_PATHS = (
    "entry_script",
    "source_dir",
    "model_dir",
    "keys_file",
    "service_log",
    "request_log",
    "metrics_dir",
)


@dataclass(frozen=True)
class ServedModel:
    name: str
    version: int | None = None


@dataclass(frozen=True)
class ServiceConfig:
    """Paths are absolute once loaded (relative ones are relative to the config file)."""

    name: str
    entry_script: str
    source_dir: str
    model_dir: str
    models: tuple[ServedModel, ...] = ()
    bind: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    auth: bool = True
    keys_file: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    threads: int = DEFAULT_THREADS
    """Calls of a plain ``run()`` at once per worker (it runs on a thread pool)."""
    max_stuck_threads: int = DEFAULT_MAX_STUCK_THREADS
    """Timed-out ``run()`` calls still running at which the worker is replaced."""
    drain_s: float = 2.0
    generation: int = 1
    telemetry_interval_s: float = 1.0
    service_log: str | None = None
    """Where the processes' output goes, rotated (None: it stays on stdout/stderr)."""
    request_log: str | None = None
    """The JSON-lines request log, rotated (None: none is written)."""
    log_max_bytes: int = DEFAULT_LOG_MAX_BYTES
    log_backups: int = DEFAULT_LOG_BACKUPS
    metrics_dir: str | None = None
    """prometheus-client's multiprocess folder (None: a temporary one)."""
    env: dict[str, str] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any], base: Path) -> ServiceConfig:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known and k != "extras"}
        values["extras"] = {k: v for k, v in data.items() if k not in known}
        values["models"] = tuple(ServedModel(**m) for m in data.get("models", ()))
        for key in _PATHS:
            if values.get(key):
                values[key] = str((base / values[key]).resolve())
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(data.pop("extras"))
        return data

    def with_overrides(self, **changes: Any) -> ServiceConfig:
        data = {**asdict(self), **{k: v for k, v in changes.items() if v is not None}}
        data["models"] = self.models
        return ServiceConfig(**data)


def load_config(path: str | os.PathLike[str]) -> ServiceConfig:
    source = Path(path).resolve()
    with open(source, encoding="utf-8") as handle:
        data = json.load(handle)
    return ServiceConfig.from_dict(data, source.parent)


def write_json_atomic(path: str | os.PathLike[str], data: Any) -> None:
    """Readers never see a half-written file: write a sibling, then rename over."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, target)
