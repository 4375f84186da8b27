"""Scoring endpoints for every front door: each shown as observed (a dead process
reads Dead)."""

from __future__ import annotations

from jupyter_mlws.entities import EndpointRecord, now_ms
from jupyter_mlws.exceptions import ResourceNotFoundError
from jupyter_mlws.serving.request_series import RequestSeries, request_series
from jupyter_mlws.serving.request_stats import RequestStats, parse_since
from jupyter_mlws.workspace import Workspace

DEFAULT_SINCE = "1h"
DEFAULT_BUCKET = "1m"


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


def endpoint_series(
    ws: Workspace, name: str, since: str = DEFAULT_SINCE, bucket: str = DEFAULT_BUCKET
) -> RequestSeries:
    """The same request log per ``bucket`` over ``since`` (both durations like ``1h``):
    requests/s, p50/p95/p99 and requests by status code, for charting."""
    window_ms = int(parse_since(since) * 1000)
    bucket_ms = int(parse_since(bucket) * 1000)
    endpoint = ws.endpoint(name)  # an unknown name: ResourceNotFoundError
    until = now_ms()
    return request_series(endpoint.layout, name, until - window_ms, until, bucket_ms)
