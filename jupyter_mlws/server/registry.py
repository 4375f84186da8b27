"""Read views of the model registry and of scoring endpoints for the sidebar."""

from __future__ import annotations

from typing import Any

from jupyter_mlws.services import endpoints, models
from jupyter_mlws.workspace import Workspace


def list_models(ws: Workspace, name: str | None, latest: bool) -> list[dict[str, Any]]:
    return [m.to_dict() for m in models.list_models(ws, name, latest=latest)]


def get_model(ws: Workspace, ref: str) -> dict[str, Any]:
    """``name`` (latest), ``name:3`` or ``name@alias``, with the version's files."""
    return models.get_model(ws, ref).to_dict()


def list_endpoints(ws: Workspace) -> list[dict[str, Any]]:
    return [e.to_dict() for e in endpoints.list_endpoints(ws)]


def get_endpoint(ws: Workspace, name: str) -> dict[str, Any]:
    return endpoints.get_endpoint(ws, name).to_dict()
