"""The stored form of a pipeline: step specs, each with the snapshot of its source folder
taken at submission (or publication), parameter defaults and the step order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.artifacts import take_snapshot
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.pipeline.data import check_value

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Workspace

FORMAT = 1


def build_definition(
    ws: Workspace,
    specs: Sequence[dict[str, Any]],
    defaults: Mapping[str, Any],
    order: Sequence[str],
    description: str | None,
) -> dict[str, Any]:
    snapshots: dict[str, str] = {}
    for spec in specs:
        folder = spec["source_dir"]
        if folder not in snapshots:  # steps sharing a folder share one snapshot
            snapshot = take_snapshot(
                Path(folder),
                ws.blobs,
                limits=ws.config.snapshot,
                cache_path=ws.cache_dir / "stat-cache.db",
            )
            ws.store.add_snapshot(snapshot.id, len(snapshot.files), snapshot.total_bytes)
            snapshots[folder] = snapshot.id
        spec["snapshot"] = snapshots[folder]
    by_name = {s["name"]: s for s in specs}
    return {
        "format": FORMAT,
        "description": description,
        "parameters": dict(defaults),
        "steps": [by_name[name] for name in order],
    }


def refresh_snapshots(ws: Workspace, definition: Mapping[str, Any]) -> dict[str, Any]:
    """The definition with new snapshots of the source folders that still exist (a
    re-run after a fix runs the fixed code)."""
    steps = [dict(s) for s in definition["steps"]]
    kept = {s["name"]: s["snapshot"] for s in steps if not Path(s["source_dir"]).is_dir()}
    fresh = build_definition(
        ws,
        [s for s in steps if s["name"] not in kept],
        definition.get("parameters") or {},
        [s["name"] for s in steps if s["name"] not in kept],
        definition.get("description"),
    )
    by_name = {s["name"]: s for s in fresh["steps"]}
    for step in steps:
        step["snapshot"] = kept.get(step["name"]) or by_name[step["name"]]["snapshot"]
    return {**definition, "steps": steps}


def resolve_parameters(
    definition: Mapping[str, Any], given: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Defaults with the submitted values on top; an undeclared name is refused."""
    defaults: dict[str, Any] = dict(definition.get("parameters") or {})
    for name in given or {}:
        if name not in defaults:
            declared = ", ".join(sorted(defaults)) or "none"
            raise InvalidParameterError(
                f"pipeline parameter {name!r} (field pipeline_parameters) is not declared by "
                f"the pipeline; declared: {declared}"
            )
    return {**defaults, **{k: check_value(k, v) for k, v in (given or {}).items()}}
