"""Dask compute targets: a managed local cluster, or an attached scheduler.

Config (the ``compute_targets`` row): managed ``{"managed": true, "min_nodes",
"max_nodes", "idle_seconds", "resources", "warm_pool_size"}``; attached ``{"managed":
false, "address": "tcp://…"}``. A managed target's state holds the scheduler's
``status`` (Starting, Running, Stopping, Stopped), ``address`` and process identity.

Runs wait in Queued until a worker starts them. ``dispatch`` submits every Queued run
of the target with ``key=run_id, pure=False`` and ``fire_and_forget`` (the run goes on
when the submitter exits); submitting a run that Dask already holds is a no-op, so
dispatching again is always safe. A run submitted while the cluster is stopped stays
Queued, and is submitted when the cluster starts (``mlws compute start``).
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from typing import Any

from jupyter_mlws import processes
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import MissingExtraError
from jupyter_mlws.tracking import Workspace
from jupyter_mlws.tracking.liveness import this_host

CONNECT_TIMEOUT = "10s"
_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()
# Attached schedulers this process gave the warm-pool worker plugin.
_plugged: set[str] = set()
# Runs this process already handed to each scheduler: submitting them again is a no-op
# for Dask, but costs a message per run and submission (quadratic for a burst).
_submitted: dict[str, set[str]] = {}


def require_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise MissingExtraError("dask", "dask") from None


def client_for(address: str) -> Any:
    """One Dask client per scheduler and process, connected on first use."""
    require_dask()
    from distributed import Client

    with _clients_lock:
        client = _clients.get(address)
        if client is not None and client.status == "running":
            return client
        return _keep(address, Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False))


def cached_client(address: str) -> Any:
    """This process's running client of that scheduler, if it has one."""
    with _clients_lock:
        client = _clients.get(address)
        return client if client is not None and client.status == "running" else None


def cache_client(address: str, client: Any) -> Any:
    """Keep a client made elsewhere (a gateway's) as this process's client of ``address``."""
    with _clients_lock:
        return _keep(address, client)


def _keep(address: str, client: Any) -> Any:
    if not _clients:
        atexit.register(close_clients)
    _clients[address] = client
    return client


def close_clients() -> None:
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
        _submitted.clear()
        _plugged.clear()
    for client in clients:
        with contextlib.suppress(Exception):  # a scheduler that is already gone
            client.close()


def process_alive(state: dict[str, Any]) -> bool:
    """Is the managed scheduler process of this state still the one that wrote it?"""
    pid, started = state.get("pid"), state.get("pid_started")
    if not pid or state.get("host") != this_host():
        return bool(pid)  # another machine's process: trust the recorded state
    return processes.process_alive(int(pid), float(started or 0))


def observed_state(ws: Workspace, name: str) -> dict[str, Any]:
    """The managed cluster's state, corrected to Stopped when its process is gone."""
    state: dict[str, Any] = ws.store.get_target(name)["state"] or {"status": "Stopped"}
    if state.get("status") in ("Running", "Stopping") and not process_alive(state):
        state = {
            "status": "Stopped",
            "reason": "the scheduler process exited unexpectedly",
        }
        ws.store.update_target(name, state=state)
    return state


class DaskTarget:
    def __init__(self, ws: Workspace, name: str, config: dict[str, Any]) -> None:
        self.ws = ws
        self.name = name
        self.config = config

    @property
    def managed(self) -> bool:
        return bool(self.config.get("managed"))

    def address(self) -> str | None:
        """The scheduler to submit to, or None while a managed cluster is not running."""
        if not self.managed:
            return str(self.config["address"])
        state = observed_state(self.ws, self.name)
        return str(state["address"]) if state.get("status") == "Running" else None

    def client(self, address: str) -> Any:
        return client_for(address)

    def queued(self) -> list[str]:
        records, _ = self.ws.store.list_runs(
            compute=self.name,
            statuses=[RunStatus.QUEUED],
            sort_by="created",
            descending=False,
            limit=10_000,
        )
        return [r.id for r in records]

    def dispatch(self) -> list[str]:
        """Submit the Queued runs; returns their ids ([] while the cluster is stopped)."""
        require_dask()
        address = self.address()
        if address is None:
            return []
        done = _submitted.setdefault(address, set())
        run_ids = [r for r in self.queued() if r not in done]
        if not run_ids:
            return []
        from distributed import fire_and_forget

        from jupyter_mlws.compute.dask_worker import run_task

        client = self.client(address)
        if not self.managed:
            self._install_warm_pool(client, address)
        resources = self.config.get("resources") or None
        root = str(self.ws.root)
        futures = [
            client.submit(run_task, root, rid, key=rid, pure=False, resources=resources)
            for rid in run_ids
        ]
        fire_and_forget(futures)
        done.update(run_ids)
        return run_ids

    def _install_warm_pool(self, client: Any, address: str) -> None:
        """Attached clusters get the warm pool plugin from their first submitter (the
        managed cluster installs it itself); ``warm_pool_size: 0`` leaves them alone."""
        size = int(self.config.get("warm_pool_size", 1))
        if size <= 0 or address in _plugged:
            return
        from jupyter_mlws.compute.dask_worker import PLUGIN_NAME, WarmPoolPlugin
        from jupyter_mlws.compute.notebook_config import warm_spec

        plugins = client.run_on_scheduler(
            lambda dask_scheduler: list(dask_scheduler.worker_plugins)
        )
        if PLUGIN_NAME not in plugins:
            client.register_plugin(WarmPoolPlugin(size, [warm_spec("python3")]), name=PLUGIN_NAME)
        _plugged.add(address)
