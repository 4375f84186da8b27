"""Starting a pipeline run: the run whose job is the controller (``pipeline.controller``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jupyter_mlws.compute.targets import LOCAL, get_target
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.pipeline.definition import refresh_snapshots, resolve_parameters
from jupyter_mlws.tracking.liveness import REDISPATCH_WHEN_LOST

if TYPE_CHECKING:
    from jupyter_mlws.pipeline.run import PipelineRun
    from jupyter_mlws.tracking import Experiment

KIND = "pipeline"
CONTROLLER_MODULE = "jupyter_mlws.pipeline.controller"
PUBLISHED_PROPERTY = "mlws.pipeline.published_id"
RERUN_PROPERTY = "mlws.pipeline.rerun_of"


def start_pipeline_run(
    experiment: Experiment,
    definition: Mapping[str, Any],
    parameters: Mapping[str, Any] | None,
    *,
    tags: Mapping[str, Any] | None = None,
    regenerate_outputs: bool = False,
    display_name: str | None = None,
    rerun_of: str | None = None,
    properties: Mapping[str, Any] | None = None,
) -> PipelineRun:
    from jupyter_mlws.pipeline.run import PipelineRun

    values = resolve_parameters(definition, parameters)
    ws = experiment.workspace
    target = get_target(ws, LOCAL)
    props = dict(properties or {})
    if rerun_of:
        props[RERUN_PROPERTY] = rerun_of
    record = ws.store.create_run(
        experiment.id,
        kind=KIND,
        compute=LOCAL,
        status=RunStatus.QUEUED,
        display_name=display_name,
        definition={
            "argv": ["{python}", "-m", CONTROLLER_MODULE],
            "pipeline": dict(definition),
            "pipeline_parameters": values,
            "regenerate_outputs": regenerate_outputs,
            "rerun_of": rerun_of,
            # a controller that dies is queued again and continues from the database
            REDISPATCH_WHEN_LOST: True,
        },
        params=values,
        tags=tags,
        properties=props,
    )
    ws.store.add_pipeline_steps(record.id, experiment.id, [s["name"] for s in definition["steps"]])
    target.dispatch()
    return PipelineRun(ws, record.id)


def rerun_pipeline(ws: Any, run_id: str, from_failed: bool = True) -> PipelineRun:
    """The same pipeline and parameters again, with the source folders as they are now;
    with ``from_failed`` every step that completed in that run is reused (also one with
    allow_reuse=False or whose files changed since), the others run or are reused by key."""
    from jupyter_mlws.exceptions import InvalidParameterError
    from jupyter_mlws.tracking import Experiment

    old = ws.store.get_run(run_id)
    if old.kind != KIND:
        raise InvalidParameterError(f"run {run_id} is a {old.kind} run, not a pipeline run")
    if not old.status.is_terminal:
        raise InvalidParameterError(
            f"pipeline run {run_id} is still {old.status.value}; re-run it when it ended"
        )
    info = ws.store.get_experiment(old.experiment_id)
    return start_pipeline_run(
        Experiment(ws, info),
        refresh_snapshots(ws, old.definition["pipeline"]),
        old.definition.get("pipeline_parameters"),
        tags=old.tags,
        rerun_of=run_id if from_failed else None,
        properties={k: v for k, v in old.properties.items() if k == PUBLISHED_PROPERTY},
    )
