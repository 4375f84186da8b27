"""Read views of the model registry and of scoring endpoints for the sidebar."""

from __future__ import annotations

from typing import Any

from jupyter_mlws.exceptions import ResourceNotFoundError
from jupyter_mlws.workspace import Workspace


def list_models(ws: Workspace, name: str | None, latest: bool) -> list[dict[str, Any]]:
    return [m.to_dict() for m in ws.models(name or None, latest=latest)]


def get_model(ws: Workspace, ref: str) -> dict[str, Any]:
    """``name`` (latest), ``name:3`` or ``name@alias``, with the version's files."""
    version = ws.model(ref)
    files = ws.store.list_model_files(version.name, version.version)
    return {**version.to_dict(), "files": [f.to_dict() for f in files]}


def list_endpoints(ws: Workspace) -> list[dict[str, Any]]:
    return [e.to_dict() for e in ws.endpoints()]


def get_endpoint(ws: Workspace, name: str) -> dict[str, Any]:
    for endpoint in ws.endpoints():
        if endpoint.name == name:
            return endpoint.to_dict()
    raise ResourceNotFoundError(f"endpoint {name!r} does not exist")
