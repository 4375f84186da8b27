"""Scoring endpoints for every front door: each shown as observed (a dead process
reads Dead)."""

from __future__ import annotations

from jupyter_mlws.entities import EndpointRecord
from jupyter_mlws.exceptions import ResourceNotFoundError
from jupyter_mlws.serving.request_stats import RequestStats
from jupyter_mlws.workspace import Workspace

DEFAULT_SINCE = "1h"


def list_endpoints(ws: Workspace) -> list[EndpointRecord]:
    return ws.endpoints()


def get_endpoint(ws: Workspace, name: str) -> EndpointRecord:
    for endpoint in ws.endpoints():
        if endpoint.name == name:
            return endpoint
    raise ResourceNotFoundError(f"endpoint {name!r} does not exist")


def endpoint_stats(ws: Workspace, name: str, since: str = DEFAULT_SINCE) -> RequestStats:
    """Requests, errors by status code, p50/p95/p99 latency and rate over ``since``, from
    the endpoint's request log (so every worker and every generation counts)."""
    return ws.endpoint(name).request_stats(since)  # an unknown name: ResourceNotFoundError
