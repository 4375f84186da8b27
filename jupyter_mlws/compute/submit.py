"""Submission shared by every run config: snapshot, queue the run, let the target start it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jupyter_mlws.artifacts import take_snapshot
from jupyter_mlws.artifacts.overlay import add_files
from jupyter_mlws.compute.run_environment import PROPERTY as ENV_PROPERTY
from jupyter_mlws.compute.run_environment import definition_entry
from jupyter_mlws.compute.targets import get_target
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.environments import EnvironmentVersion
from jupyter_mlws.exceptions import InvalidParameterError, ResourceConflictError
from jupyter_mlws.tracking import Experiment, Run
from jupyter_mlws.tracking import Workspace as TrackingWorkspace
from jupyter_mlws.tracking.git import git_properties


def submit_tags(
    config: object, own: Mapping[str, Any] | None, given: Mapping[str, Any] | None, options: Any
) -> dict[str, Any]:
    """The tags of a submission: the config's, then ``submit(config, tags=…)``'s on top.

    Options a config does not know are refused, never silently dropped.
    """
    if options:
        raise InvalidParameterError(
            f"{type(config).__name__} cannot be submitted with {', '.join(sorted(options))}"
        )
    return {**(own or {}), **(given or {})}


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
    environment: EnvironmentVersion | None = None,
) -> Run:
    """Returns as soon as the run is queued and (if a slot is free) its runner started."""
    ws = experiment.workspace
    target = get_target(ws, compute)  # unknown target: fail before any work
    if environment is not None:
        definition = {**definition, "environment": definition_entry(environment)}
        properties = {**(properties or {}), ENV_PROPERTY: environment.ref}
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


RERUN_TAG = "mlws.rerun_of"


def resubmit_run(ws: TrackingWorkspace, run_id: str) -> Run:
    """A new run with the same snapshot, definition, params, tags and compute."""
    old = ws.store.get_run(run_id)
    if old.snapshot_id is None:
        raise ResourceConflictError(
            f"run {run_id} ran interactively (no snapshot); only submitted runs can be re-run"
        )
    target = get_target(ws, old.compute)
    default_name = f"run-{old.number}"
    record = ws.store.create_run(
        old.experiment_id,
        kind=old.kind,
        compute=old.compute,
        status=RunStatus.QUEUED,
        display_name=None if old.display_name == default_name else old.display_name,
        parent_id=old.parent_id,
        snapshot_id=old.snapshot_id,
        definition=old.definition,
        params=old.params,
        tags={**old.tags, RERUN_TAG: old.id},
        properties=old.properties,
    )
    target.dispatch()
    return Run(ws, record.id)
