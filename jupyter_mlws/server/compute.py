"""Compute targets as the sidebar shows them (``services.compute`` holds the rules)."""

from __future__ import annotations

from typing import Any

from jupyter_mlws.services import compute
from jupyter_mlws.workspace import Workspace


def list_targets(ws: Workspace) -> list[dict[str, Any]]:
    return [t.to_dict() for t in compute.list_targets(ws)]


def get_target(ws: Workspace, name: str) -> dict[str, Any]:
    return compute.get_target(ws, name).to_dict()


def act(ws: Workspace, name: str, action: str) -> dict[str, Any]:
    """Start or stop a managed cluster (blocking until it is up or down)."""
    return compute.act(ws, name, action).to_dict()
