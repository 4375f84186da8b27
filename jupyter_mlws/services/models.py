"""The model registry for every front door: versions by name, tag or run; one version
with its files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jupyter_mlws.entities import FileEntry, ModelVersion
from jupyter_mlws.services.runs import resolve_run_id
from jupyter_mlws.workspace import TagFilter, Workspace


@dataclass(frozen=True)
class ModelDetails:
    version: ModelVersion
    files: list[FileEntry]

    def to_dict(self) -> dict[str, Any]:
        return {**self.version.to_dict(), "files": [f.to_dict() for f in self.files]}


def list_models(
    ws: Workspace,
    name: str | None = None,
    *,
    latest: bool = False,
    tags: TagFilter = None,
    properties: TagFilter = None,
    run_ref: str | None = None,
) -> list[ModelVersion]:
    run_id = resolve_run_id(ws, run_ref) if run_ref else None
    return ws.models(name or None, tags=tags, properties=properties, run_id=run_id, latest=latest)


def get_model(ws: Workspace, ref: str) -> ModelDetails:
    """``name`` (latest), ``name:3`` or ``name@alias``, with the version's files."""
    version = ws.model(ref)
    return ModelDetails(version, ws.store.list_model_files(version.name, version.version))
