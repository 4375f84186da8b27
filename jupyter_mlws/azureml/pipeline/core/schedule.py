"""``azureml.pipeline.core.schedule``: v1's ``Schedule``, ``ScheduleRecurrence`` and
``TimeZone`` on the native schedules.

v1's ``TimeZone`` members are Windows zone names (``TimeZone.PacificStandardTime`` is
"Pacific Standard Time"); the native schedules take those names as they are and resolve
them through CLDR's Windows-to-IANA table, so a v1 schedule fires at the same wall-clock
time, daylight saving included.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from jupyter_mlws.azureml._unavailable import placeholder
from jupyter_mlws.azureml.exceptions import NotAvailableError
from jupyter_mlws.azureml.pipeline.core import PipelineRun
from jupyter_mlws.exceptions import InvalidParameterError, MissingExtraError
from jupyter_mlws.pipeline import recurrence as times
from jupyter_mlws.pipeline.schedule import Schedule as NativeSchedule
from jupyter_mlws.pipeline.schedule import ScheduleRecurrence as NativeScheduleRecurrence

__all__ = ["Schedule", "ScheduleRecurrence", "TimeZone"]


def _time_zones() -> type:
    """v1's enum: a member per Windows zone, named as v1 names them (the zone's name
    without its spaces and punctuation: "UTC-11" is ``UTC11``)."""
    try:
        names = times.windows_zones()
    except MissingExtraError:
        feature = "time zones of pipeline schedules (pip install 'jupyter-mlws[azureml]')"
        return placeholder("TimeZone", feature, __name__)
    members = {re.sub(r"[^A-Za-z0-9]", "", name): name for name in sorted(names)}
    return Enum("TimeZone", members, module=__name__)  # type: ignore[return-value]


TimeZone: Any = _time_zones()


@dataclass
class ScheduleRecurrence(NativeScheduleRecurrence):
    """v1's recurrence: ``time_zone`` is a ``TimeZone`` (a naive ``start_time`` is a
    wall-clock time there), and ``time_of_day`` ("hh:mm") stands for ``hours`` and
    ``minutes``."""

    time_of_day: str | None = None

    def spec(self, default_start_ms: int) -> tuple[str, dict[str, Any]]:
        zone = self.time_zone.value if isinstance(self.time_zone, Enum) else self.time_zone
        hours, minutes = self.hours, self.minutes
        if self.time_of_day is not None:
            if hours or minutes:
                raise InvalidParameterError("give time_of_day or hours and minutes, not both")
            hours, minutes = _time_of_day(self.time_of_day)
        native = NativeScheduleRecurrence(
            self.frequency,
            self.interval,
            self.start_time,
            zone,
            hours,
            minutes,
            self.week_days,
        )
        return native.spec(default_start_ms)


def _time_of_day(text: str) -> tuple[list[int], list[int]]:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(text).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise InvalidParameterError(f"time_of_day {text!r} is not a time of day such as 02:30")
    return [int(match[1])], [int(match[2])]


class Schedule(NativeSchedule):
    """v1's ``Schedule`` on the native schedules, with v1's argument order; a scheduler
    (the Jupyter server extension, ``mlws scheduler run``) fires it."""

    @classmethod
    def create(  # type: ignore[override]
        cls,
        workspace: Any,
        name: str,
        pipeline_id: str,
        experiment_name: str,
        recurrence: ScheduleRecurrence | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> NativeSchedule:
        options = _v1_options(args, kwargs)
        return super().create(
            workspace,
            name,
            pipeline_id=pipeline_id,
            experiment_name=experiment_name,
            recurrence=recurrence,
            **options,
        )

    @classmethod
    def create_for_pipeline_endpoint(  # type: ignore[override]
        cls,
        workspace: Any,
        name: str,
        pipeline_endpoint_id: str,
        experiment_name: str,
        recurrence: ScheduleRecurrence | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> NativeSchedule:
        options = _v1_options(args, kwargs)
        return super().create(
            workspace,
            name,
            pipeline_endpoint_id=pipeline_endpoint_id,
            experiment_name=experiment_name,
            recurrence=recurrence,
            **options,
        )

    def get_last_pipeline_run(self) -> PipelineRun | None:
        native = super().get_last_pipeline_run()
        return None if native is None else PipelineRun(native.workspace, native.id)


# v1's arguments after ``recurrence``, in v1's order (both create methods share them)
V1_SCHEDULE_OPTIONS = (
    "description",
    "pipeline_parameters",
    "wait_for_provisioning",
    "wait_timeout",
    "datastore",
    "polling_interval",
    "data_path_parameter_name",
    "continue_on_step_failure",
    "path_on_datastore",
)
NATIVE_SCHEDULE_OPTIONS = (
    "description",
    "pipeline_parameters",
    "datastore",
    "polling_interval",
    "path_on_datastore",
)


def _v1_options(args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """v1's positional and keyword options as the native ``create`` takes them; the two
    v1 has and the native schedules do not are refused by name."""
    given = {**dict(zip(V1_SCHEDULE_OPTIONS, args)), **kwargs}
    if given.get("data_path_parameter_name"):
        raise NotAvailableError("Schedule(data_path_parameter_name=)")
    if given.get("continue_on_step_failure"):
        raise NotAvailableError("Schedule(continue_on_step_failure=True)")
    return {k: given[k] for k in NATIVE_SCHEDULE_OPTIONS if given.get(k) is not None}
