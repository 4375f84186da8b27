"""Managing compute targets: create, attach, start, stop, show, delete.

``local`` is built in and cannot be changed here. ``dask`` targets are either managed
(a local cluster this workspace starts and stops) or attached (an existing scheduler:
dask-kubernetes, dask-jobqueue, Dask Gateway, or ``dask scheduler`` by hand).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_mlws.compute.targets import LOCAL, TARGET_TYPES, list_targets
from jupyter_mlws.entities import RunStatus, validate_name
from jupyter_mlws.exceptions import InvalidParameterError, ResourceConflictError
from jupyter_mlws.tracking import Workspace

GATEWAY = "dask-gateway"
ADDRESS_SCHEMES = ("tcp://", "tls://", "ucx://", "ws://", "wss://", "inproc://")


def _check_new(ws: Workspace, name: str, type_: str) -> None:
    validate_name("compute target", name)
    if name == LOCAL:
        raise InvalidParameterError("'local' is built in; choose another name")
    if type_ not in TARGET_TYPES or type_ == LOCAL:
        known = ", ".join(t for t in TARGET_TYPES if t != LOCAL)
        raise InvalidParameterError(f"unknown compute type {type_!r}; known: {known}")


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
    properties: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A managed cluster, Stopped until ``start_target``; ``properties`` are recorded
    as given (e.g. the v1 ``vm_size``)."""
    _check_new(ws, name, type_)
    if min_nodes < 0 or max_nodes < 1 or min_nodes > max_nodes:
        raise InvalidParameterError("need 0 <= --min-nodes <= --max-nodes and --max-nodes >= 1")
    if idle_seconds <= 0:
        raise InvalidParameterError("--idle-seconds must be positive")
    if warm_pool_size < 0:
        raise InvalidParameterError("--warm-pool-size must be 0 (off) or more")
    config = {
        "managed": True,
        "min_nodes": min_nodes,
        "max_nodes": max_nodes,
        "idle_seconds": idle_seconds,
        "resources": dict(resources or {}),
        "warm_pool_size": warm_pool_size,
        "properties": {str(k): str(v) for k, v in (properties or {}).items()},
    }
    ws.store.add_target(name, type_, config)
    ws.store.update_target(name, state={"status": "Stopped"})
    return show_target(ws, name)


def attach_target(
    ws: Workspace,
    name: str,
    address: str,
    type_: str = "dask",
    warm_pool_size: int = 1,
    gateway: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An existing scheduler (``dask``) or a Dask Gateway's URL (``dask-gateway``, with
    ``gateway`` holding ``auth``, ``username``, ``password_secret``, ``workers``); their
    workers need jupyter-mlws and the workspace's URLs.

    The first submission installs the warm-pool worker plugin (``warm_pool_size``
    kernels per kernel name on each worker; 0 installs nothing).
    """
    _check_new(ws, name, type_)
    if warm_pool_size < 0:
        raise InvalidParameterError("--warm-pool-size must be 0 (off) or more")
    if type_ == GATEWAY:
        return _attach_gateway(ws, name, address, warm_pool_size, dict(gateway or {}))
    if gateway:
        raise InvalidParameterError("gateway options go with --type dask-gateway")
    if not address.startswith(ADDRESS_SCHEMES):
        raise InvalidParameterError(
            f"--address {address!r} must be a scheduler address like tcp://host:8786"
        )
    config = {"managed": False, "address": address, "warm_pool_size": warm_pool_size}
    ws.store.add_target(name, type_, config)
    ws.store.update_target(name, state={"status": "Attached"})
    return show_target(ws, name)


def _attach_gateway(
    ws: Workspace, name: str, address: str, warm_pool_size: int, options: dict[str, Any]
) -> dict[str, Any]:
    from jupyter_mlws.compute.dask_gateway import check_config, read_secret

    workers = int(options.get("workers") or 1)
    if workers < 1:
        raise InvalidParameterError("--workers must be 1 or more")
    auth, username = options.get("auth"), options.get("username")
    secret = options.get("password_secret")
    check_config(address, auth, username, secret)
    if secret:
        read_secret(ws, secret)  # a typo or an undecryptable secret: said now, not at submit
    config = {
        "managed": False,
        "gateway": address.rstrip("/"),
        "auth": auth,
        "username": username,
        "password_secret": secret,
        "workers": workers,
        "cluster_options": dict(options.get("cluster_options") or {}),
        "warm_pool_size": warm_pool_size,
    }
    ws.store.add_target(name, GATEWAY, config)
    ws.store.update_target(name, state={"status": "Attached"})
    return show_target(ws, name)


def start_target(ws: Workspace, name: str) -> dict[str, Any]:
    """Start a managed cluster (attached: just submit its Queued runs)."""
    row = _row(ws, name)
    if row["config"].get("managed"):
        from jupyter_mlws.compute.dask_cluster import start_cluster

        start_cluster(ws, name)  # the cluster's own process records it Running
        ws.store.record_activity("compute", "start", name)
    from jupyter_mlws.compute.targets import get_target

    get_target(ws, name).dispatch()
    return show_target(ws, name)


def stop_target(ws: Workspace, name: str) -> dict[str, Any]:
    row = _row(ws, name)
    if row["type"] == GATEWAY:  # the cluster is the one this workspace asked for
        from jupyter_mlws.compute.dask_gateway import GatewayTarget

        GatewayTarget(ws, name, row["config"]).stop()
        return show_target(ws, name)
    if not row["config"].get("managed"):
        raise InvalidParameterError(
            f"compute target {name!r} is attached: stop its cluster where it runs"
        )
    from jupyter_mlws.compute.dask_cluster import stop_cluster

    stop_cluster(ws, name)
    return show_target(ws, name)


def show_target(ws: Workspace, name: str) -> dict[str, Any]:
    for target in list_targets(ws):
        if target["name"] == name:
            if target["config"].get("managed"):
                from jupyter_mlws.compute.dask_target import observed_state

                target["state"] = observed_state(ws, name)
            target["status"] = target["state"].get("status", "")
            target["queued"] = _count(ws, name, [RunStatus.QUEUED])
            target["active"] = ws.store.count_active(name)
            return target
    return _row(ws, name)  # raises the "unknown compute target" error


def delete_target(ws: Workspace, name: str) -> None:
    row = _row(ws, name)
    if row["config"].get("managed"):
        from jupyter_mlws.compute.dask_target import observed_state

        if observed_state(ws, name).get("status") not in ("Stopped", None):
            raise ResourceConflictError(
                f"compute target {name!r} is running; `mlws compute stop {name}` first"
            )
    busy = _count(ws, name, [RunStatus.QUEUED]) + ws.store.count_active(name)
    if busy:
        raise ResourceConflictError(
            f"compute target {name!r} has {busy} queued or active runs; cancel them first"
        )
    ws.store.delete_target(name)


def waiting_reason(ws: Workspace, name: str) -> str | None:
    """Why a Queued run on this target is not starting, when there is a clear reason."""
    if name == LOCAL:
        return None
    row = _row(ws, name)
    if row["config"].get("managed"):
        from jupyter_mlws.compute.dask_target import observed_state

        status = observed_state(ws, name).get("status")
        if status != "Running":
            return (
                f"compute target {name!r} is {status}; the run waits in Queued until "
                f"`mlws compute start {name}`"
            )
    return None


def _row(ws: Workspace, name: str) -> dict[str, Any]:
    if name == LOCAL:
        raise InvalidParameterError("'local' is built in and has nothing to manage")
    from jupyter_mlws.compute.targets import get_target

    get_target(ws, name)  # the "unknown compute target; available: …" error
    return ws.store.get_target(name)


def _count(ws: Workspace, name: str, statuses: list[RunStatus]) -> int:
    records, _ = ws.store.list_runs(compute=name, statuses=statuses, limit=10_000)
    return len(records)
