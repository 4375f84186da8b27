"""Scoring endpoints for every front door: each shown as observed (a dead process
reads Dead)."""

from __future__ import annotations

from jupyter_mlws.entities import EndpointRecord
from jupyter_mlws.exceptions import ResourceNotFoundError
from jupyter_mlws.workspace import Workspace


def list_endpoints(ws: Workspace) -> list[EndpointRecord]:
    return ws.endpoints()


def get_endpoint(ws: Workspace, name: str) -> EndpointRecord:
    for endpoint in ws.endpoints():
        if endpoint.name == name:
            return endpoint
    raise ResourceNotFoundError(f"endpoint {name!r} does not exist")
