"""How values read for people: the CLI's tables and the widgets' HTML share these."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any


def fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if not math.isfinite(value) else f"{value:.6g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={fmt(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt(v) for v in value)
    return str(value)


def fmt_time(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def fmt_duration(ms: int | None) -> str:
    if ms is None:
        return ""
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s"


def fmt_peaks(peaks: Mapping[str, float]) -> dict[str, str]:
    """``services.runs.system_summary``'s peaks as labelled values (none: not sampled)."""
    shown = {}
    if "peak_memory_mb" in peaks:
        shown["peak memory"] = f"{peaks['peak_memory_mb']:,.0f} MB"
    if "peak_cpu_percent" in peaks:
        shown["peak CPU"] = f"{peaks['peak_cpu_percent']:.0f}% of one core"
    return shown
