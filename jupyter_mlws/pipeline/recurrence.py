"""When a time schedule is due: a cron expression (croniter), or v1's recurrence (every
``interval`` minutes/hours/days/weeks/months from a start time, or at given hours and
minutes on given week days, which is a cron expression again).

Every function takes and returns epoch milliseconds. ``latest_due(spec, since, now)``
is the one rule the scheduler needs: the most recent due time ``t`` with
``since < t <= now``, or None (see ``pipeline.scheduler`` for the catch-up rule).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jupyter_mlws.exceptions import InvalidParameterError, require

EXTRA = "pipelines"
CRON = "cron"
INTERVAL = "interval"
TIME_KINDS = (CRON, INTERVAL)

STEPS = {
    "Minute": timedelta(minutes=1),
    "Hour": timedelta(hours=1),
    "Day": timedelta(days=1),
    "Week": timedelta(weeks=1),
    "Month": None,  # calendar months
}
WEEK_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def _croniter() -> Any:
    require("croniter", EXTRA)
    from croniter import croniter

    return croniter


# Windows zone names Azure ML v1 lists that CLDR's table (tzlocal's copy) no longer has.
LEGACY_WINDOWS_ZONES = {
    "Mid-Atlantic Standard Time": "Etc/GMT+2",
    "Kamchatka Standard Time": "Asia/Kamchatka",
}


def windows_zones() -> dict[str, str]:
    """Windows time zone name → IANA name (Azure ML writes schedules' zones the Windows
    way: "Pacific Standard Time"), from CLDR's table as tzlocal ships it."""
    require("tzlocal", EXTRA)
    from tzlocal.windows_tz import win_tz

    return {**LEGACY_WINDOWS_ZONES, **win_tz}


def zone(name: str | None) -> ZoneInfo | timezone:
    """An IANA name (Europe/Paris) or a Windows one (W. Europe Standard Time)."""
    if not name or name.upper() == "UTC":
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    iana = windows_zones().get(name)
    if iana is None:
        raise InvalidParameterError(
            f"time_zone {name!r} is not a known time zone (an IANA name such as Europe/Paris, "
            "or a Windows one such as W. Europe Standard Time)"
        )
    return ZoneInfo(iana)


def check_cron(expression: str) -> str:
    """The expression, stripped; one that does not parse is refused with croniter's reason."""
    if not isinstance(expression, str) or not expression.strip():
        raise InvalidParameterError("cron expression must be a non-empty string")
    expression = " ".join(expression.split())
    croniter = _croniter()
    try:
        croniter(expression, datetime.now(timezone.utc))
    except (ValueError, KeyError, TypeError) as exc:
        reason = str(exc).replace(f"[{expression}] ", "")
        raise InvalidParameterError(
            f"cron expression {expression!r} does not parse: {reason} "
            "(minute hour day-of-month month day-of-week[ second])"
        ) from None
    return expression


def cron_spec(expression: str, time_zone: str | None = None) -> dict[str, Any]:
    zone(time_zone)
    return {"cron": check_cron(expression), "time_zone": time_zone or "UTC"}


def recurrence_spec(
    frequency: str,
    interval: int,
    start_ms: int,
    time_zone: str | None = None,
    hours: Sequence[int] | None = None,
    minutes: Sequence[int] | None = None,
    week_days: Sequence[str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """(kind, spec) of v1's ``ScheduleRecurrence``; bad values are refused naming the field."""
    if frequency not in STEPS:
        raise InvalidParameterError(
            f"frequency must be one of {', '.join(STEPS)}, got {frequency!r}"
        )
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 1:
        raise InvalidParameterError(f"interval must be a whole number >= 1, got {interval!r}")
    zone(time_zone)
    if hours is None and minutes is None and week_days is None:
        spec = {"frequency": frequency, "interval": interval, "start_ms": int(start_ms)}
        return INTERVAL, {**spec, "time_zone": time_zone or "UTC"}
    return CRON, cron_spec(
        _at_times_cron(frequency, interval, hours, minutes, week_days), time_zone
    )


def _numbers(field: str, values: Sequence[int] | None, high: int, default: str) -> str:
    if values is None:
        return default
    if not values or any(isinstance(v, bool) or not isinstance(v, int) for v in values):
        raise InvalidParameterError(f"{field} must be a list of whole numbers")
    if any(not 0 <= v <= high for v in values):
        raise InvalidParameterError(f"{field} must be between 0 and {high}, got {list(values)}")
    return ",".join(str(v) for v in sorted(set(values)))


def _at_times_cron(
    frequency: str,
    interval: int,
    hours: Sequence[int] | None,
    minutes: Sequence[int] | None,
    week_days: Sequence[str] | None,
) -> str:
    if frequency not in ("Hour", "Day", "Week") or interval != 1:
        raise InvalidParameterError(
            "hours, minutes and week_days need frequency Hour, Day or Week with interval 1"
        )
    if frequency == "Hour" and (hours is not None or week_days is not None):
        raise InvalidParameterError("frequency Hour takes minutes only")
    if week_days is not None and frequency != "Week":
        raise InvalidParameterError("week_days needs frequency Week")
    minute = _numbers("minutes", minutes, 59, "0")
    hour = "*" if frequency == "Hour" else _numbers("hours", hours, 23, "0")
    day = "*"
    if frequency == "Week":
        if not week_days:
            raise InvalidParameterError("frequency Week with hours or minutes needs week_days")
        unknown = [d for d in week_days if d not in WEEK_DAYS]
        if unknown:
            raise InvalidParameterError(
                f"week_days must be among {', '.join(WEEK_DAYS)}, got {unknown}"
            )
        day = ",".join(str(WEEK_DAYS.index(d)) for d in WEEK_DAYS if d in week_days)
    return f"{minute} {hour} * * {day}"


# ---- due times ------------------------------------------------------------------------
def _dt(ms: int, tz: ZoneInfo | timezone) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz)


def _ms(value: datetime | float) -> int:
    stamp = value.timestamp() if isinstance(value, datetime) else value
    return round(stamp * 1000)


def _add_months(start: datetime, months: int) -> datetime:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def _interval_at(spec: Mapping[str, Any], k: int) -> int:
    """The k-th due time (k = 0 is the start itself)."""
    tz = zone(spec.get("time_zone"))
    start = _dt(spec["start_ms"], tz)
    step = STEPS[spec["frequency"]]
    if step is None:
        return _ms(_add_months(start, k * spec["interval"]))
    return _ms(start + k * spec["interval"] * step)


def _interval_index(spec: Mapping[str, Any], at_ms: int) -> int:
    """The largest k whose due time is <= at_ms (-1 before the start)."""
    if at_ms < spec["start_ms"]:
        return -1
    step = STEPS[spec["frequency"]]
    if step is not None:
        return int(
            (at_ms - spec["start_ms"]) // (spec["interval"] * step / timedelta(milliseconds=1))
        )
    start = _dt(spec["start_ms"], zone(spec.get("time_zone")))
    now = _dt(at_ms, zone(spec.get("time_zone")))
    k = ((now.year - start.year) * 12 + now.month - start.month) // spec["interval"] + 1
    while k >= 0 and _interval_at(spec, k) > at_ms:
        k -= 1
    return k


def latest_due(kind: str, spec: Mapping[str, Any], since_ms: int, now_ms: int) -> int | None:
    """The most recent due time ``t`` with ``since_ms < t <= now_ms``, or None."""
    if kind == CRON:
        tz = zone(spec.get("time_zone"))
        base = _dt(now_ms + 1, tz)  # a due time exactly now counts
        due = _ms(_croniter()(spec["cron"], base).get_prev(datetime))
    elif kind == INTERVAL:
        k = _interval_index(spec, now_ms)
        if k < 0:
            return None
        due = _interval_at(spec, k)
    else:
        raise InvalidParameterError(f"schedule kind {kind!r} has no due times")
    return due if since_ms < due <= now_ms else None


def next_due(kind: str, spec: Mapping[str, Any], after_ms: int) -> int:
    """The first due time strictly after ``after_ms``."""
    if kind == CRON:
        tz = zone(spec.get("time_zone"))
        return _ms(_croniter()(spec["cron"], _dt(after_ms, tz)).get_next(datetime))
    return _interval_at(spec, max(0, _interval_index(spec, after_ms) + 1))
