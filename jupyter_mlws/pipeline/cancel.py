"""Canceling a pipeline run: every step that runs is asked to stop (its runner kills
the step's process group), queued ones are canceled at once, the rest never start."""

from __future__ import annotations

from jupyter_mlws.entities import RunStatus
from jupyter_mlws.tracking import Workspace

_ACTIVE = [s for s in RunStatus if s.is_active]


def cancel_steps(ws: Workspace, pipeline_run_id: str) -> None:
    store = ws.store
    for row in store.pipeline_steps(pipeline_run_id):
        if row["status"] == "NotStarted":
            store.update_pipeline_step(
                pipeline_run_id,
                row["name"],
                only_from=["NotStarted"],
                status="Canceled",
                reason="not run: the pipeline was canceled",
            )
    records, _ = store.list_runs(parent_id=pipeline_run_id, limit=10_000)
    for child in records:
        if child.status is RunStatus.QUEUED or child.status is RunStatus.NOT_STARTED:
            store.transition(
                child.id,
                RunStatus.CANCELED,
                only_from=[RunStatus.QUEUED, RunStatus.NOT_STARTED],
                error={"message": "canceled with its pipeline"},
            )
        # its runner sees the request at its next heartbeat and kills the process group
        store.transition(child.id, RunStatus.CANCEL_REQUESTED, only_from=_ACTIVE)


def cancel_pipeline(ws: Workspace, pipeline_run_id: str) -> None:
    record = ws.store.get_run(pipeline_run_id)
    if record.status.is_terminal:
        return
    cancel_steps(ws, pipeline_run_id)
    if record.status is RunStatus.QUEUED:
        ws.store.transition(
            pipeline_run_id, RunStatus.CANCELED, only_from=[RunStatus.QUEUED], activity="cancel"
        )
    else:
        ws.store.transition(
            pipeline_run_id, RunStatus.CANCEL_REQUESTED, only_from=_ACTIVE, activity="cancel"
        )
