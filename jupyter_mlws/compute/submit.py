"""Submission shared by every run config: snapshot, queue the run, let the target start it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jupyter_mlws.artifacts import take_snapshot
from jupyter_mlws.artifacts.overlay import add_files
from jupyter_mlws.compute.targets import get_target
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.tracking import Experiment, Run
from jupyter_mlws.tracking.git import git_properties


def submit_run(
    experiment: Experiment,
    *,
    kind: str,
    source_dir: Path,
    compute: str,
    definition: Mapping[str, Any],
    tags: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    properties: Mapping[str, Any] | None = None,
    display_name: str | None = None,
    parent_id: str | None = None,
    extra_files: Mapping[str, bytes] | None = None,
) -> Run:
    """Returns as soon as the run is queued and (if a slot is free) its runner started."""
    ws = experiment.workspace
    target = get_target(ws, compute)  # unknown target: fail before any work
    snapshot = take_snapshot(
        source_dir, ws.blobs, limits=ws.config.snapshot, cache_path=ws.cache_dir / "stat-cache.db"
    )
    if extra_files:  # generated files (a %%run cell's script) exist only in the snapshot
        snapshot = add_files(snapshot, ws.blobs, extra_files)
    ws.store.add_snapshot(snapshot.id, len(snapshot.files), snapshot.total_bytes)
    record = ws.store.create_run(
        experiment.id,
        kind=kind,
        compute=compute,
        status=RunStatus.QUEUED,
        display_name=display_name,
        parent_id=parent_id,
        snapshot_id=snapshot.id,
        definition={**definition, "source_dir": str(source_dir)},
        params=params,
        tags=tags,
        properties={**git_properties(source_dir), **(properties or {})},
    )
    target.dispatch()
    return Run(ws, record.id)
