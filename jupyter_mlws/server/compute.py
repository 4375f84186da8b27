"""Compute targets as the sidebar shows them: definition, observed state, workers, runs.

Start and stop are ``compute.admin``'s (the CLI's ``mlws compute start|stop``); ``local``
is built in and always running.
"""

from __future__ import annotations

from typing import Any

from jupyter_mlws.compute import admin
from jupyter_mlws.compute.targets import LOCAL
from jupyter_mlws.exceptions import InvalidParameterError, ResourceConflictError
from jupyter_mlws.workspace import Workspace

ACTIONS = ("start", "stop")


def list_targets(ws: Workspace) -> list[dict[str, Any]]:
    return [get_target(ws, row["name"]) for row in ws.compute_targets()]


def get_target(ws: Workspace, name: str) -> dict[str, Any]:
    return _view(admin.show_target(ws, name))


def act(ws: Workspace, name: str, action: str) -> dict[str, Any]:
    """Start or stop a managed cluster (blocking until it is up or down)."""
    if action not in ACTIONS:
        raise InvalidParameterError(f"unknown action {action!r}; use start or stop")
    get_target(ws, name)  # 404 for an unknown target, before anything else
    if name == LOCAL:
        raise ResourceConflictError("compute target 'local' is built in and always running")
    shown = admin.start_target(ws, name) if action == "start" else admin.stop_target(ws, name)
    return _view(shown)


def _view(target: dict[str, Any]) -> dict[str, Any]:
    state = dict(target.get("state") or {})
    workers = state.get("workers")
    return {
        "name": target["name"],
        "type": target["type"],
        "status": target.get("status") or state.get("status") or "Unknown",
        "workers": workers if isinstance(workers, (int, dict)) else None,
        "config": target.get("config") or {},
        "state": state,
        "active_runs": int(target.get("active", 0)),
        "queued_runs": int(target.get("queued", 0)),
    }
