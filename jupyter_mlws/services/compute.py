"""Compute targets for every front door: definition, observed state, run counts,
start and stop. ``local`` is built in and always running."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_mlws.compute import admin
from jupyter_mlws.compute.targets import LOCAL
from jupyter_mlws.entities import ComputeTargetRecord
from jupyter_mlws.exceptions import InvalidParameterError, ResourceConflictError
from jupyter_mlws.workspace import Workspace

ACTIONS = ("start", "stop")


def list_targets(ws: Workspace) -> list[ComputeTargetRecord]:
    return [get_target(ws, row["name"]) for row in ws.compute_targets()]


def get_target(ws: Workspace, name: str) -> ComputeTargetRecord:
    return _record(admin.show_target(ws, name))


def create_target(
    ws: Workspace,
    name: str,
    type_: str = "dask",
    *,
    min_nodes: int = 0,
    max_nodes: int = 1,
    idle_seconds: float = 60.0,
    resources: Mapping[str, float] | None = None,
    warm_pool_size: int = 1,
) -> ComputeTargetRecord:
    """A managed local Dask cluster, Stopped until started."""
    return _record(
        admin.create_target(
            ws,
            name,
            type_,
            min_nodes=min_nodes,
            max_nodes=max_nodes,
            idle_seconds=idle_seconds,
            resources=resources,
            warm_pool_size=warm_pool_size,
        )
    )


def attach_target(
    ws: Workspace,
    name: str,
    address: str,
    type_: str = "dask",
    warm_pool_size: int = 1,
    gateway: Mapping[str, Any] | None = None,
) -> ComputeTargetRecord:
    """An existing scheduler (dask-kubernetes, dask-jobqueue, by hand), or a Dask
    Gateway that lends the workspace a cluster (``type_="dask-gateway"``)."""
    return _record(admin.attach_target(ws, name, address, type_, warm_pool_size, gateway))


def delete_target(ws: Workspace, name: str) -> None:
    """Refused while it runs or has queued or active runs."""
    admin.delete_target(ws, name)


def start_target(ws: Workspace, name: str) -> ComputeTargetRecord:
    """Start a managed cluster (blocks until it is up); attached: dispatch its queue."""
    return _record(admin.start_target(ws, name))


def stop_target(ws: Workspace, name: str) -> ComputeTargetRecord:
    return _record(admin.stop_target(ws, name))


def act(ws: Workspace, name: str, action: str) -> ComputeTargetRecord:
    """``start`` or ``stop`` by name, as the REST API and the sidebar ask."""
    if action not in ACTIONS:
        raise InvalidParameterError(f"unknown action {action!r}; use start or stop")
    get_target(ws, name)  # unknown target: not found, before anything else
    if name == LOCAL:
        raise ResourceConflictError("compute target 'local' is built in and always running")
    return start_target(ws, name) if action == "start" else stop_target(ws, name)


def _record(target: dict[str, Any]) -> ComputeTargetRecord:
    state = dict(target.get("state") or {})
    return ComputeTargetRecord(
        name=target["name"],
        type=target["type"],
        status=target.get("status") or state.get("status") or "Unknown",
        config=dict(target.get("config") or {}),
        state=state,
        active_runs=int(target.get("active", 0)),
        queued_runs=int(target.get("queued", 0)),
    )
