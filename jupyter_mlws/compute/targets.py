"""Compute targets: ``local`` is built in; other types come from their own modules."""

from __future__ import annotations

import importlib
from typing import Any, Protocol

from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.tracking import Workspace, liveness

LOCAL = "local"

# type name → "module:Class"; imported only when a target of that type is used, so that
# heavy dependencies (dask, …) stay optional.
TARGET_TYPES: dict[str, str] = {
    "local": "jupyter_mlws.compute.local:LocalTarget",
    "dask": "jupyter_mlws.compute.dask_target:DaskTarget",
    "dask-gateway": "jupyter_mlws.compute.dask_gateway:GatewayTarget",
}


class ComputeTarget(Protocol):
    name: str

    def dispatch(self) -> list[str]:
        """Start queued runs that have a free slot; returns the ids started."""
        ...


def get_target(ws: Workspace, name: str) -> ComputeTarget:
    if name == LOCAL:
        return _load(LOCAL)(ws, LOCAL, {})
    try:
        row = ws.store.get_target(name)
    except ResourceNotFoundError:
        names = [LOCAL, *(t["name"] for t in ws.store.list_targets())]
        raise ResourceNotFoundError(
            f"unknown compute target {name!r}; available: {', '.join(names)}"
        ) from None
    return _load(row["type"])(ws, name, row["config"])


def _load(type_name: str) -> type:
    spec = TARGET_TYPES.get(type_name)
    if spec is None:
        raise InvalidParameterError(
            f"unknown compute type {type_name!r}; known: {', '.join(TARGET_TYPES)}"
        )
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def list_targets(ws: Workspace) -> list[dict[str, Any]]:
    local = {
        "name": LOCAL,
        "type": "local",
        "state": {"status": "Running"},
        "config": {"max_concurrency": ws.config.local_max_concurrency},
    }
    return [local, *ws.store.list_targets()]


liveness.register_queue_kicker(lambda ws, name: get_target(ws, name).dispatch())
