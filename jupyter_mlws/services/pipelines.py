"""Pipelines for every front door: submit a pipeline file, show a run's steps with their
reuse reasons, re-run from the failed steps, publish versions behind endpoints, and
start an endpoint's pipeline (the REST trigger)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_mlws.entities import RunRecord
from jupyter_mlws.exceptions import ResourceNotFoundError
from jupyter_mlws.pipeline import PipelineRun, StepRun
from jupyter_mlws.pipeline.loading import load_pipeline_file
from jupyter_mlws.pipeline.published import PipelineEndpoint, PublishedPipeline
from jupyter_mlws.pipeline.start import KIND, rerun_pipeline
from jupyter_mlws.services.runs import resolve_run_id
from jupyter_mlws.workspace import Workspace


@dataclass(frozen=True)
class PipelineRunView:
    """A pipeline run with its steps in the pipeline's order."""

    record: RunRecord
    steps: list[StepRun]

    def to_dict(self) -> dict[str, Any]:
        r = self.record
        return {
            "id": r.id,
            "experiment": r.experiment_name,
            "number": r.number,
            "display_name": r.display_name,
            "status": r.status.value,
            "created_ms": r.created_ms,
            "ended_ms": r.ended_ms,
            "error": r.error,
            "parameters": r.definition.get("pipeline_parameters") or {},
            "steps": [s.to_dict() for s in self.steps],
        }


# ---- runs ------------------------------------------------------------------------------
def submit_file(
    ws: Workspace,
    path: str | Path,
    experiment: str,
    parameters: Mapping[str, Any] | None = None,
) -> PipelineRun:
    """Run the pipeline a file defines (see ``pipeline.loading`` for the convention)."""
    pipeline = load_pipeline_file(ws, path)
    pipeline.validate()  # a mistake must not leave a new, empty experiment behind
    return pipeline.submit(experiment, pipeline_parameters=dict(parameters or {}))


def load_pipeline_run(ws: Workspace, ref: str) -> PipelineRun:
    run = PipelineRun(ws, resolve_run_id(ws, ref))
    record = run.refresh()
    if record.kind != KIND:  # no pipeline run has that id
        raise ResourceNotFoundError(f"run {ref} is a {record.kind} run, not a pipeline run")
    return run


def pipeline_run_view(ws: Workspace, ref: str) -> PipelineRunView:
    run = load_pipeline_run(ws, ref)
    steps = run.get_steps()
    return PipelineRunView(run.refresh(), steps)


def rerun(ws: Workspace, ref: str, from_failed: bool = True) -> PipelineRun:
    return rerun_pipeline(ws, load_pipeline_run(ws, ref).id, from_failed=from_failed)


def cancel(ws: Workspace, ref: str) -> PipelineRunView:
    load_pipeline_run(ws, ref).cancel()
    return pipeline_run_view(ws, ref)


# ---- published pipelines and endpoints --------------------------------------------------
def publish_file(
    ws: Workspace,
    path: str | Path,
    name: str,
    description: str | None = None,
    endpoint: str | None = None,
    make_default: bool = False,
) -> tuple[PublishedPipeline, PipelineEndpoint | None]:
    """A new immutable version of the file's pipeline; with ``endpoint``, also a version of
    that endpoint (created when new, and then its default)."""
    published = load_pipeline_file(ws, path).publish(name, description=description)
    if endpoint is None:
        return published, None
    try:
        found = PipelineEndpoint.get(ws, endpoint)
    except ResourceNotFoundError:
        return published, PipelineEndpoint.publish(ws, endpoint, description, published)
    if make_default:
        found.add_default(published)
    else:
        found.add(published)
    return published, found


def list_published(ws: Workspace, name: str | None = None) -> list[PublishedPipeline]:
    return PublishedPipeline.list(ws, name)


def list_endpoints(ws: Workspace) -> list[PipelineEndpoint]:
    return PipelineEndpoint.list(ws)


def get_endpoint(ws: Workspace, name: str) -> PipelineEndpoint:
    endpoint: PipelineEndpoint = PipelineEndpoint.get(ws, name)
    return endpoint


def endpoint_view(ws: Workspace, name: str) -> dict[str, Any]:
    """An endpoint with each version's pipeline (steps, parameters)."""
    endpoint = get_endpoint(ws, name)
    view = endpoint.to_dict()
    view["versions"] = [
        {**v, "pipeline": PublishedPipeline.get(ws, v["published_id"]).to_dict()}
        for v in endpoint.versions
    ]
    return view


def set_default(ws: Workspace, name: str, version: int) -> PipelineEndpoint:
    endpoint = get_endpoint(ws, name)
    endpoint.set_default_version(version)
    return endpoint


def run_endpoint(
    ws: Workspace,
    name: str,
    experiment: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    version: int | None = None,
) -> PipelineRun:
    """Start the endpoint's default pipeline (or ``version``) in ``experiment`` (by default
    one named like the endpoint)."""
    endpoint = get_endpoint(ws, name)
    return endpoint.submit(
        experiment or name, pipeline_parameters=dict(parameters or {}), pipeline_version=version
    )
