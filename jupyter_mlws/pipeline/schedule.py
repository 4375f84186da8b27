"""Schedules of published pipelines and pipeline endpoints, with v1's names::

    Schedule.create(ws, "nightly", pipeline_id=published.id, experiment_name="train",
                    recurrence=ScheduleRecurrence(frequency="Day", interval=1, hours=[2]))
    Schedule.create_for_pipeline_endpoint(ws, "every-5", pipeline_endpoint_id="train",
                    experiment_name="train", cron="*/5 * * * *")
    Schedule.create(ws, "on-new-data", pipeline_id=published.id, experiment_name="train",
                    datastore=store, path_on_datastore="incoming/**", polling_interval=1)

A schedule is only a row: whatever runs a scheduler (``pipeline.scheduler``: the Jupyter
server extension, ``mlws scheduler run``) fires it, once per due time.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jupyter_mlws.entities import now_ms, validate_name
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.pipeline import recurrence as times
from jupyter_mlws.pipeline import watch
from jupyter_mlws.pipeline.definition import resolve_parameters
from jupyter_mlws.pipeline.published import PipelineEndpoint, PublishedPipeline

if TYPE_CHECKING:
    from jupyter_mlws.pipeline.run import PipelineRun
    from jupyter_mlws.tracking import Workspace

SCHEDULE_PROPERTY = "mlws.schedule"
DUE_PROPERTY = "mlws.schedule.due_ms"


@dataclass
class ScheduleRecurrence:
    """v1's recurrence: every ``interval`` ``frequency`` (Minute, Hour, Day, Week, Month)
    from ``start_time`` (default: when the schedule is created), or at ``hours`` and
    ``minutes`` (on ``week_days`` for Week) with interval 1."""

    frequency: str
    interval: int
    start_time: datetime | str | None = None
    time_zone: str | None = None
    hours: list[int] | None = None
    minutes: list[int] | None = None
    week_days: list[str] | None = None

    def validate(self) -> None:
        self.spec(now_ms())

    def spec(self, default_start_ms: int) -> tuple[str, dict[str, Any]]:
        start = (
            default_start_ms
            if self.start_time is None
            else _start_ms(self.start_time, self.time_zone)
        )
        return times.recurrence_spec(
            self.frequency,
            self.interval,
            start,
            self.time_zone,
            self.hours,
            self.minutes,
            self.week_days,
        )


def _start_ms(value: datetime | str, time_zone: str | None) -> int:
    """A start time without a zone is a wall-clock time in the schedule's ``time_zone``."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidParameterError(
                f"start_time {value!r} is not an ISO date and time (2026-01-31T02:00)"
            ) from None
    if not isinstance(value, datetime):
        raise InvalidParameterError("start_time must be a datetime or an ISO string")
    if value.tzinfo is None:
        value = value.replace(tzinfo=times.zone(time_zone))
    return int(value.timestamp() * 1000)


def _datastore_name(datastore: Any) -> str:
    return datastore if isinstance(datastore, str) else str(datastore.name)


@dataclass
class Schedule:
    workspace: Workspace = field(repr=False)
    name: str
    kind: str
    spec: dict[str, Any]
    target: dict[str, Any]
    enabled: bool
    state: dict[str, Any]
    created_ms: int
    updated_ms: int

    # ---- making ---------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        workspace: Workspace,
        name: str,
        pipeline_id: str | None = None,
        experiment_name: str | None = None,
        recurrence: ScheduleRecurrence | None = None,
        description: str | None = None,
        pipeline_parameters: Mapping[str, Any] | None = None,
        datastore: Any = None,
        polling_interval: float = 5,
        path_on_datastore: str | None = None,
        *,
        cron: str | None = None,
        time_zone: str | None = None,
        dataset: str | None = None,
        pipeline_endpoint_id: str | None = None,
        pipeline_version: int | None = None,
        **_v1_options: Any,  # wait_for_provisioning, wait_timeout, continue_on_step_failure
    ) -> Schedule:
        """A schedule that starts a published pipeline (``pipeline_id``) or an endpoint's
        default (or ``pipeline_version``) in ``experiment_name``: on a ``recurrence``, a
        ``cron`` expression, or when ``datastore``/``path_on_datastore`` or ``dataset``
        changes (checked every ``polling_interval`` minutes)."""
        validate_name("schedule", name)
        target = _target(
            workspace,
            pipeline_id,
            pipeline_endpoint_id,
            pipeline_version,
            experiment_name,
            pipeline_parameters,
            description,
        )
        triggers = [t for t in (recurrence, cron, datastore or dataset) if t is not None]
        if len(triggers) != 1:
            raise InvalidParameterError(
                "a schedule takes one of recurrence=, cron= or datastore=/dataset= "
                f"(got {len(triggers)})"
            )
        now = now_ms()
        state: dict[str, Any] = {"active_since_ms": now}
        if recurrence is not None:
            if not isinstance(recurrence, ScheduleRecurrence):
                raise InvalidParameterError("recurrence takes a ScheduleRecurrence")
            kind, spec = recurrence.spec(now)
        elif cron is not None:
            kind, spec = times.CRON, times.cron_spec(cron, time_zone)
        else:
            kind = watch.WATCH
            spec = watch.watch_spec(
                workspace,
                datastore=None if datastore is None else _datastore_name(datastore),
                path=path_on_datastore,
                dataset=dataset,
                poll_seconds=_minutes(polling_interval) * 60,
            )
            state["fingerprint"] = watch.current_fingerprint(workspace, spec)  # the baseline
        row = workspace.store.create_schedule(name, kind, spec, target)
        row = workspace.store.update_schedule(name, state=state)
        return cls._of(workspace, row)

    @classmethod
    def create_for_pipeline_endpoint(
        cls,
        workspace: Workspace,
        name: str,
        pipeline_endpoint_id: str,
        experiment_name: str,
        recurrence: ScheduleRecurrence | None = None,
        **options: Any,
    ) -> Schedule:
        return cls.create(
            workspace,
            name,
            experiment_name=experiment_name,
            recurrence=recurrence,
            pipeline_endpoint_id=pipeline_endpoint_id,
            **options,
        )

    @classmethod
    def get(cls, workspace: Workspace, id: str) -> Schedule:
        return cls._of(workspace, workspace.store.get_schedule(id))

    @classmethod
    def list(
        cls,
        workspace: Workspace,
        pipeline_id: str | None = None,
        active_only: bool = True,
        pipeline_endpoint_id: str | None = None,
    ) -> builtins.list[Schedule]:
        found = [cls._of(workspace, r) for r in workspace.store.list_schedules()]
        return [
            s
            for s in found
            if (s.enabled or not active_only)
            and (pipeline_id is None or s.target.get("pipeline_id") == pipeline_id)
            and (pipeline_endpoint_id is None or s.target.get("endpoint") == pipeline_endpoint_id)
        ]

    @classmethod
    def _of(cls, ws: Workspace, row: Mapping[str, Any]) -> Schedule:
        return cls(ws, **{k: row[k] for k in cls.__dataclass_fields__ if k != "workspace"})

    # ---- v1's attributes and verbs ------------------------------------------------------
    @property
    def id(self) -> str:
        return self.name

    @property
    def status(self) -> str:
        return "Active" if self.enabled else "Disabled"

    @property
    def pipeline_id(self) -> str | None:
        return self.target.get("pipeline_id")

    @property
    def pipeline_endpoint_id(self) -> str | None:
        return self.target.get("endpoint")

    @property
    def experiment_name(self) -> str:
        return str(self.target["experiment"])

    @property
    def description(self) -> str | None:
        return self.target.get("description")

    def enable(self, wait_for_provisioning: bool = False, wait_timeout: int = 3600) -> None:
        self._refresh(self.workspace.store.set_schedule_enabled(self.name, True))

    def disable(self, wait_for_provisioning: bool = False, wait_timeout: int = 3600) -> None:
        self._refresh(self.workspace.store.set_schedule_enabled(self.name, False))

    def delete(self) -> None:
        self.workspace.store.delete_schedule(self.name)

    def _refresh(self, row: Mapping[str, Any]) -> None:
        self.enabled = bool(row["enabled"])
        self.state = dict(row["state"])
        self.updated_ms = int(row["updated_ms"])

    def firings(self, limit: int = 100) -> builtins.list[dict[str, Any]]:
        """What was fired, newest first: due time, when, the run it started (or the error)."""
        return self.workspace.store.list_firings(self.name, limit)

    def get_last_pipeline_run(self) -> PipelineRun | None:
        from jupyter_mlws.pipeline.run import PipelineRun

        for firing in self.firings(limit=20):
            if firing["run_id"]:
                return PipelineRun(self.workspace, firing["run_id"])
        return None

    def next_due_ms(self, after_ms: int | None = None) -> int | None:
        """The next time it fires (None for a change trigger, or while disabled)."""
        if self.kind not in times.TIME_KINDS or not self.enabled:
            return None
        return times.next_due(self.kind, self.spec, after_ms or now_ms())

    def trigger_text(self) -> str:
        if self.kind == times.CRON:
            return f"cron {self.spec['cron']} ({self.spec.get('time_zone', 'UTC')})"
        if self.kind == times.INTERVAL:
            return f"every {self.spec['interval']} {self.spec['frequency']}"
        return f"when {watch.describe(self.spec)}"

    def target_text(self) -> str:
        t = self.target
        if "endpoint" in t:
            version = "default" if t.get("version") is None else f"v{t['version']}"
            return f"endpoint {t['endpoint']} ({version})"
        return f"pipeline {t.get('pipeline_name', '')} ({t['pipeline_id']})".strip()

    def to_dict(self) -> dict[str, Any]:
        firings = self.firings(limit=1)
        return {
            "name": self.name,
            "kind": self.kind,
            "enabled": self.enabled,
            "status": self.status,
            "trigger": self.trigger_text(),
            "spec": dict(self.spec),
            "target": dict(self.target),
            "next_due_ms": self.next_due_ms(),
            "last_firing": firings[0] if firings else None,
            "created_ms": self.created_ms,
            "updated_ms": self.updated_ms,
        }

    # ---- firing ---------------------------------------------------------------------------
    def submit(self, due_ms: int) -> PipelineRun:
        """Start the target's pipeline for the due time (the scheduler calls this once it
        holds the firing)."""
        t = self.target
        if "endpoint" in t:
            published = PipelineEndpoint.get(self.workspace, t["endpoint"]).get_pipeline(
                t.get("version")
            )
        else:
            published = PublishedPipeline.get(self.workspace, t["pipeline_id"])
        return published.submit_to(
            self.workspace.experiment(t["experiment"]),
            pipeline_parameters=t.get("parameters") or {},
            properties={SCHEDULE_PROPERTY: self.name, DUE_PROPERTY: due_ms},
        )


def _minutes(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParameterError(f"polling_interval must be minutes, got {value!r}")
    return float(value)


def target_of(
    ws: Workspace, pipeline_id: str | None, endpoint: str | None, version: int | None
) -> tuple[PublishedPipeline, dict[str, Any]]:
    """The pipeline a schedule starts (as of now) and how the schedule names it."""
    if (pipeline_id is None) == (endpoint is None):
        raise InvalidParameterError("a schedule needs pipeline_id or pipeline_endpoint_id")
    if endpoint is not None:
        found = PipelineEndpoint.get(ws, endpoint)
        return found.get_pipeline(version), {"endpoint": found.name, "version": version}
    published = PublishedPipeline.get(ws, str(pipeline_id))
    return published, {"pipeline_id": published.id, "pipeline_name": published.name}


def _target(
    ws: Workspace,
    pipeline_id: str | None,
    endpoint: str | None,
    version: int | None,
    experiment: str | None,
    parameters: Mapping[str, Any] | None,
    description: str | None,
) -> dict[str, Any]:
    """What a firing starts; the pipeline must exist (404 before any other refusal)."""
    published, target = target_of(ws, pipeline_id, endpoint, version)
    if experiment is None:
        raise InvalidParameterError("a schedule needs experiment_name")
    validate_name("experiment", experiment)
    given = dict(parameters or {})
    resolve_parameters(published.definition, given)
    return {**target, "experiment": experiment, "parameters": given, "description": description}
