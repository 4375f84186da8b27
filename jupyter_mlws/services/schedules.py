"""Schedules for every front door: create (cron, interval, or a change trigger) on a
published pipeline or a pipeline endpoint, list, show with the firings, enable, disable,
delete; and the scheduler that fires them (server extension, ``mlws scheduler run``)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.pipeline.schedule import Schedule, ScheduleRecurrence, target_of
from jupyter_mlws.pipeline.scheduler import DEFAULT_POLL_SECONDS, Clock, Firing, Scheduler
from jupyter_mlws.workspace import Workspace

ENV_AGENT_POLL = "MLWS_AGENT_SCHEDULER_POLL"
__all__ = ["DEFAULT_POLL_SECONDS", "Firing", "Schedule", "ScheduleSpec", "Scheduler"]


@dataclass(frozen=True)
class ScheduleSpec:
    """What a front door asks for; exactly one trigger (cron, frequency, datastore or
    dataset) and one target (pipeline or endpoint)."""

    name: str
    experiment: str | None = None
    pipeline: str | None = None  # a published pipeline's id
    endpoint: str | None = None
    version: int | None = None
    cron: str | None = None
    frequency: str | None = None
    interval: int = 1
    start_time: str | None = None
    time_zone: str | None = None
    datastore: str | None = None
    path: str | None = None
    dataset: str | None = None
    poll_minutes: float = 5
    parameters: Mapping[str, Any] | None = None
    description: str | None = None

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> ScheduleSpec:
        return cls(**{k: v for k, v in body.items() if k in cls.__dataclass_fields__})


def create(ws: Workspace, spec: ScheduleSpec) -> Schedule:
    # an unknown pipeline is 404 before any other refusal
    target_of(ws, spec.pipeline, spec.endpoint, spec.version)
    recurrence = None
    if spec.frequency is not None:
        recurrence = ScheduleRecurrence(
            spec.frequency, spec.interval, spec.start_time, spec.time_zone
        )
    elif spec.start_time is not None:
        raise InvalidParameterError("start_time is for a frequency schedule")
    if spec.path is not None and spec.datastore is None:
        raise InvalidParameterError("path is a path on a datastore: give the datastore too")
    return Schedule.create(
        ws,
        spec.name,
        pipeline_id=spec.pipeline,
        experiment_name=spec.experiment,
        recurrence=recurrence,
        description=spec.description,
        pipeline_parameters=spec.parameters,
        datastore=spec.datastore,
        polling_interval=spec.poll_minutes,
        path_on_datastore=spec.path,
        cron=spec.cron,
        time_zone=spec.time_zone if recurrence is None else None,
        dataset=spec.dataset,
        pipeline_endpoint_id=spec.endpoint,
        pipeline_version=spec.version,
    )


def list_schedules(ws: Workspace) -> list[Schedule]:
    return Schedule.list(ws, active_only=False)


def get(ws: Workspace, name: str) -> Schedule:
    return Schedule.get(ws, name)


def view(ws: Workspace, name: str, firings: int = 20) -> dict[str, Any]:
    """A schedule with its latest firings."""
    schedule = get(ws, name)
    return {**schedule.to_dict(), "firings": schedule.firings(firings)}


def enable(ws: Workspace, name: str) -> Schedule:
    schedule = get(ws, name)
    schedule.enable()
    return schedule


def disable(ws: Workspace, name: str) -> Schedule:
    schedule = get(ws, name)
    schedule.disable()
    return schedule


def delete(ws: Workspace, name: str) -> None:
    get(ws, name).delete()


def scheduler(
    ws: Workspace, poll_seconds: float = DEFAULT_POLL_SECONDS, clock: Clock | None = None
) -> Scheduler:
    if poll_seconds < 0:
        raise InvalidParameterError(f"poll interval must be >= 0 seconds, got {poll_seconds}")
    return Scheduler(ws, poll_seconds) if clock is None else Scheduler(ws, poll_seconds, clock)


def agent_task(ws: Workspace) -> Callable[[threading.Event], None]:
    """The local agent's scheduler pass (entry point ``jupyter_mlws.agent_tasks``): ticks
    every ``DEFAULT_POLL_SECONDS`` until the agent stops; the Jupyter server's loop and
    ``mlws scheduler run`` may tick too, a due time fires once."""
    return scheduler(ws, agent_poll_seconds()).run


def agent_poll_seconds() -> float:
    """``MLWS_AGENT_SCHEDULER_POLL`` seconds (default ``DEFAULT_POLL_SECONDS``)."""
    text = os.environ.get(ENV_AGENT_POLL, "")
    try:
        return max(0.05, float(text)) if text else DEFAULT_POLL_SECONDS
    except ValueError:
        return DEFAULT_POLL_SECONDS
