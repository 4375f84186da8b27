"""Registered environment versions: what the store holds, as plain objects."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jupyter_mlws.environments.spec import EnvironmentSpec, check_name, parse_ref
from jupyter_mlws.store import SqlStore

NOT_BUILT, BUILDING, READY, FAILED = "NotBuilt", "Building", "Ready", "Failed"


@dataclass(frozen=True)
class EnvironmentVersion:
    name: str
    version: int
    spec: EnvironmentSpec
    lock: str | None
    lock_hash: str | None
    state: str
    error: str | None
    size_bytes: int | None
    created_ms: int
    built_ms: int | None
    last_used_ms: int | None

    @property
    def ref(self) -> str:
        return f"{self.name}:{self.version}"

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> EnvironmentVersion:
        return cls(
            name=row["name"],
            version=int(row["version"]),
            spec=EnvironmentSpec.stored(json.loads(row["spec"])),
            lock=row["lock"],
            lock_hash=row["lock_hash"],
            state=row["state"],
            error=row["error"],
            size_bytes=row["size_bytes"],
            created_ms=row["created_ms"],
            built_ms=row["built_ms"],
            last_used_ms=row["last_used_ms"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "spec": self.spec.to_dict(),
            "lock": self.lock,
            "lock_hash": self.lock_hash,
            "state": self.state,
            "error": self.error,
            "size_bytes": self.size_bytes,
            "created_ms": self.created_ms,
            "built_ms": self.built_ms,
            "last_used_ms": self.last_used_ms,
        }


def register(store: SqlStore, name: str, spec: EnvironmentSpec) -> EnvironmentVersion:
    row = store.register_environment(check_name(name), spec.to_json(), spec.hash)
    return EnvironmentVersion.from_row(row)


def get(store: SqlStore, ref: str, version: int | None = None) -> EnvironmentVersion:
    """``get(store, "sk")`` (latest), ``get(store, "sk:2")`` or ``get(store, "sk", 2)``."""
    name, parsed = parse_ref(ref)
    return EnvironmentVersion.from_row(store.get_environment(name, version or parsed))


def list_versions(store: SqlStore, name: str | None = None) -> list[EnvironmentVersion]:
    return [EnvironmentVersion.from_row(r) for r in store.list_environments(name)]


def delete(store: SqlStore, ref: str) -> int:
    name, version = parse_ref(ref)
    return store.delete_environment(name, version)
