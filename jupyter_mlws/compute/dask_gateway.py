"""Dask Gateway targets: a team's multi-tenant gateway lends this workspace a cluster.

Config (the ``compute_targets`` row): ``{"managed": false, "gateway": "http://host:8000",
"auth": "basic" | "jupyterhub" | "kerberos" | null, "username", "password_secret",
"workers", "cluster_options", "warm_pool_size"}``. ``password_secret`` names a secret in
the workspace's key vault: the password itself is never in a record. ``auth`` null
leaves authentication to the user's dask config (``gateway.auth``), as ``Gateway()``
does. State: ``{"status": "Attached" | "Running", "cluster": NAME}``.

The first dispatch asks the gateway for a cluster scaled to ``workers`` and records its
name, so every process that submits (a notebook, a sweep or pipeline controller, the
server) uses the same cluster; one the gateway no longer runs is replaced. The cluster
outlives whoever asked for it (``shutdown_on_close=False``): runs are fire-and-forget.
``mlws compute stop`` shuts it down. Clients go through the gateway's proxy with the TLS
credentials it issues, so they come from ``GatewayCluster.get_client()``, not an address.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

from jupyter_mlws.compute.dask_target import DaskTarget, cache_client, cached_client
from jupyter_mlws.exceptions import (
    ComputeUnavailableError,
    InvalidParameterError,
    MissingExtraError,
)
from jupyter_mlws.tracking import Workspace

GATEWAY_SCHEMES = ("http://", "https://")
AUTH_TYPES = ("basic", "jupyterhub", "kerberos")
# The key vault sits beside compute (data), so it is found by name, not imported.
SECRET_READER = "jupyter_mlws.data.keyvault:read_secret"
_clusters: dict[tuple[str, str], Any] = {}  # (gateway, cluster name) → GatewayCluster
_lock = threading.Lock()


def require_gateway() -> Any:
    try:
        import dask_gateway
    except ImportError:
        raise MissingExtraError("dask_gateway", "dask") from None
    return dask_gateway


def check_config(address: str, auth: str | None, username: str | None, secret: str | None) -> None:
    if not address.startswith(GATEWAY_SCHEMES):
        raise InvalidParameterError(
            f"--address {address!r} must be the gateway's URL, like http://host:8000"
        )
    if auth is not None and auth not in AUTH_TYPES:
        raise InvalidParameterError(f"--auth {auth!r}: use one of {', '.join(AUTH_TYPES)}")
    if auth == "basic" and not secret:
        raise InvalidParameterError(
            "--auth basic needs --password-secret NAME (a secret in the workspace key vault)"
        )
    if (username or secret) and auth != "basic":
        raise InvalidParameterError("--username and --password-secret go with --auth basic")


def read_secret(ws: Workspace, name: str) -> str:
    module, _, attr = SECRET_READER.partition(":")
    return str(getattr(importlib.import_module(module), attr)(ws, name))


class GatewayTarget(DaskTarget):
    def __init__(self, ws: Workspace, name: str, config: dict[str, Any]) -> None:
        super().__init__(ws, name, config)
        self.url = str(config["gateway"])

    # ---- what DaskTarget.dispatch asks for ----------------------------------------------
    def address(self) -> str | None:
        return str(self.cluster().scheduler_address)

    def client(self, address: str) -> Any:
        client = cached_client(address)
        if client is None:
            client = cache_client(address, self.cluster().get_client(set_as_default=False))
        return client

    # ---- the cluster ----------------------------------------------------------------------
    def cluster(self) -> Any:
        """The workspace's cluster on the gateway: the recorded one while it runs, else
        a new one (recorded for every other process)."""
        with _lock:
            recorded = (self.ws.store.get_target(self.name)["state"] or {}).get("cluster")
            if recorded and (self.url, recorded) in _clusters:
                return _clusters[self.url, recorded]
            gateway = self.gateway()
            try:
                running = {c.name for c in gateway.list_clusters()}
                if recorded in running:
                    cluster = gateway.connect(recorded)
                else:
                    cluster = self._new_cluster(gateway)
            except Exception as exc:  # the gateway's own errors: unreachable, refused, …
                raise ComputeUnavailableError(f"Dask Gateway {self.url}: {exc}") from exc
            _clusters[self.url, cluster.name] = cluster
            return cluster

    def _new_cluster(self, gateway: Any) -> Any:
        options = self.config.get("cluster_options") or {}
        cluster = gateway.new_cluster(shutdown_on_close=False, **options)
        cluster.scale(int(self.config.get("workers") or 1))
        # Another process may have asked at the same time: the first recorded one wins.
        recorded = (self.ws.store.get_target(self.name)["state"] or {}).get("cluster")
        running = {c.name for c in gateway.list_clusters()}
        if recorded and recorded != cluster.name and recorded in running:
            cluster.shutdown()
            return gateway.connect(recorded)
        self.ws.store.update_target(self.name, state={"status": "Running", "cluster": cluster.name})
        return cluster

    def gateway(self) -> Any:
        dask_gateway = require_gateway()
        return dask_gateway.Gateway(self.url, auth=self._auth(dask_gateway))

    def _auth(self, dask_gateway: Any) -> Any:
        kind = self.config.get("auth")
        if kind is None:
            return None  # the user's dask config decides, as for Gateway()
        if kind == "basic":
            password = read_secret(self.ws, str(self.config["password_secret"]))
            return dask_gateway.BasicAuth(self.config.get("username"), password)
        if kind == "jupyterhub":
            return dask_gateway.JupyterHubAuth()
        return dask_gateway.KerberosAuth()

    def stop(self) -> None:
        """Shut the workspace's cluster down; queued runs wait for the next dispatch."""
        recorded = (self.ws.store.get_target(self.name)["state"] or {}).get("cluster")
        if recorded:
            try:
                self.gateway().stop_cluster(recorded)
            except Exception as exc:
                raise ComputeUnavailableError(f"Dask Gateway {self.url}: {exc}") from exc
            with _lock:
                _clusters.pop((self.url, recorded), None)
        self.ws.store.update_target(self.name, state={"status": "Attached"}, activity="stop")
