"""``mlws compute …``: list, create, attach, start, stop, show and delete targets."""

from __future__ import annotations

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.params import parse_pairs
from jupyter_mlws.entities import ComputeTargetRecord
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.services import compute as compute_service

COLUMNS = ["name", "type", "status", "address", "nodes", "queued", "active"]


def _row(target: ComputeTargetRecord) -> dict[str, object]:
    config = target.config
    nodes = f"{config.get('min_nodes')}-{config.get('max_nodes')}" if config.get("managed") else ""
    return {
        "name": target.name,
        "type": target.type,
        "status": target.status,
        "address": target.address,
        "nodes": nodes,
        "queued": target.queued_runs,
        "active": target.active_runs,
    }


def _show(target: ComputeTargetRecord) -> None:
    get_ctx().out.record(_row(target), data=target.to_dict())


@click.group("compute")
def compute() -> None:
    """Compute targets: `local` (built in) and Dask clusters (managed or attached)."""


@compute.command("list")
@json_option
def list_targets() -> None:
    """Every compute target with its state."""
    targets = compute_service.list_targets(get_ctx().workspace())
    get_ctx().out.table([_row(t) for t in targets], COLUMNS, data=[t.to_dict() for t in targets])


@compute.command("create")
@click.argument("name")
@click.option("--type", "type_", default="dask", show_default=True)
@click.option("--min-nodes", default=0, show_default=True, type=int)
@click.option("--max-nodes", default=1, show_default=True, type=int)
@click.option(
    "--idle-seconds",
    default=60.0,
    show_default=True,
    type=float,
    help="Close a worker idle this long (down to --min-nodes).",
)
@click.option(
    "--resources",
    "resources",
    multiple=True,
    metavar="NAME=AMOUNT",
    help="Abstract resources of each worker, e.g. GPU=1; each run takes them.",
)
@click.option(
    "--warm-pool-size",
    default=1,
    show_default=True,
    type=int,
    help="Warm kernels per kernel name on each worker (0: none).",
)
@json_option
def create(
    name: str,
    type_: str,
    min_nodes: int,
    max_nodes: int,
    idle_seconds: float,
    resources: tuple[str, ...],
    warm_pool_size: int,
) -> None:
    """Create a managed local Dask cluster NAME (Stopped until `mlws compute start`)."""
    amounts: dict[str, float] = {}
    for key, value in parse_pairs(resources, "--resources").items():
        try:
            amounts[key] = float(value)
        except ValueError:
            raise InvalidParameterError(f"--resources {key}={value}: not a number") from None
    _show(
        compute_service.create_target(
            get_ctx().workspace(),
            name,
            type_,
            min_nodes=min_nodes,
            max_nodes=max_nodes,
            idle_seconds=idle_seconds,
            resources=amounts,
            warm_pool_size=warm_pool_size,
        )
    )


@compute.command("attach")
@click.argument("name")
@click.option("--type", "type_", default="dask", show_default=True, help="dask or dask-gateway.")
@click.option(
    "--address",
    required=True,
    help="Scheduler address (tcp://host:8786), or the gateway's URL (http://host:8000).",
)
@click.option(
    "--warm-pool-size",
    default=1,
    show_default=True,
    type=int,
    help="Warm kernels per kernel name on each worker (0: none).",
)
@click.option("--auth", help="dask-gateway: basic, jupyterhub or kerberos (default: dask config).")
@click.option("--username", help="dask-gateway --auth basic: the user name.")
@click.option(
    "--password-secret", help="dask-gateway --auth basic: key-vault secret holding the password."
)
@click.option("--workers", type=int, help="dask-gateway: workers to scale the cluster to [1].")
@json_option
def attach(
    name: str,
    type_: str,
    address: str,
    warm_pool_size: int,
    auth: str | None,
    username: str | None,
    password_secret: str | None,
    workers: int | None,
) -> None:
    """Attach an existing Dask scheduler, or a Dask Gateway, as NAME.

    Works with any scheduler: dask-kubernetes (KubeCluster(...).scheduler_address),
    dask-jobqueue (SLURMCluster(...).scheduler_address), or `dask scheduler` started by
    hand. With --type dask-gateway the workspace asks the gateway for a cluster on first
    use, scaled to --workers, and `mlws compute stop NAME` shuts it down. Workers need
    `pip install "jupyter-mlws[dask]"` and the workspace's store and artifact URLs
    (MLWS_WORKER_WORKSPACE names a workspace folder there whose workspace.json points at
    the same URLs).
    """
    gateway = {
        k: v
        for k, v in {
            "auth": auth,
            "username": username,
            "password_secret": password_secret,
            "workers": workers,
        }.items()
        if v is not None
    }
    _show(
        compute_service.attach_target(
            get_ctx().workspace(), name, address, type_, warm_pool_size, gateway or None
        )
    )


@compute.command("start")
@click.argument("name")
@json_option
def start(name: str) -> None:
    """Start a managed cluster (detached; it outlives this command) and submit its queue."""
    _show(compute_service.start_target(get_ctx().workspace(), name))


@compute.command("stop")
@click.argument("name")
@json_option
def stop(name: str) -> None:
    """Stop a managed cluster; its Queued runs wait for the next start."""
    _show(compute_service.stop_target(get_ctx().workspace(), name))


@compute.command("show")
@click.argument("name")
@json_option
def show(name: str) -> None:
    """One target: config, state, queued and active runs."""
    _show(compute_service.get_target(get_ctx().workspace(), name))


@compute.command("delete")
@click.argument("name")
@json_option
def delete(name: str) -> None:
    """Delete a stopped target that has no queued or active runs."""
    compute_service.delete_target(get_ctx().workspace(), name)
    get_ctx().out.record({"deleted": name})
