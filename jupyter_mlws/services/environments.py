"""Environments for every front door: register, list, get, build, delete."""

from __future__ import annotations

from jupyter_mlws.environments import EnvironmentSpec, registry
from jupyter_mlws.environments.build import Build
from jupyter_mlws.environments.installer import Log
from jupyter_mlws.environments.prepare import ensure_build
from jupyter_mlws.environments.registry import EnvironmentVersion
from jupyter_mlws.tracking import Workspace


def register(ws: Workspace, name: str, spec: EnvironmentSpec) -> EnvironmentVersion:
    """A new version, or the existing one whose spec is the same."""
    return registry.register(ws.store, name, spec)


def list_versions(ws: Workspace, name: str | None = None) -> list[EnvironmentVersion]:
    return registry.list_versions(ws.store, name)


def get(ws: Workspace, ref: str) -> EnvironmentVersion:
    """By ``name`` (latest version) or ``name:VERSION``."""
    return registry.get(ws.store, ref)


def build(ws: Workspace, ref: str, log: Log) -> tuple[EnvironmentVersion, Build]:
    """Build ``ref`` into this machine's cache (or find it there), streaming to ``log``."""
    env = registry.get(ws.store, ref)
    return ensure_build(ws.store, env.name, env.version, log)


def delete(ws: Workspace, ref: str) -> int:
    """Delete a version, or every version of a name; returns how many went."""
    return registry.delete(ws.store, ref)
