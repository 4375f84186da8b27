"""The public ``Workspace``: the tracking core plus the capabilities layered above it.

Azure users expect ``ws.compute_targets()``, ``ws.register_model()``, ``ws.deploy()``;
those live in capability packages that sit above tracking, so the facade that gathers
them sits above them too (lower layers use ``tracking.Workspace``).
"""

from __future__ import annotations

from typing import Any

from jupyter_mlws.compute.targets import get_target, list_targets
from jupyter_mlws.tracking.workspace import Workspace as TrackingWorkspace


class Workspace(TrackingWorkspace):
    def compute_targets(self) -> list[dict[str, Any]]:
        """Every compute target: ``local`` (built in) and those created or attached."""
        return list_targets(self)

    def compute_target(self, name: str) -> Any:
        return get_target(self, name)


__all__ = ["Workspace"]
