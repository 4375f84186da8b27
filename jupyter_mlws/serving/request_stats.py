"""An endpoint's request log read back: counts, status codes, latency percentiles, rate.

The log is ``requests.jsonl`` and its rotated copies (``.1`` newest … ``.N`` oldest);
copies last written before the window starts are not opened at all.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.serving.layout import EndpointLayout

_DURATION = re.compile(r"^([1-9][0-9]{0,5})([smhdw])$")  # as openapi.yaml's pattern
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str) -> float:
    """``90s``, ``15m``, ``1h``, ``2d``, ``1w`` → seconds (a bad one is a one-line error)."""
    found = _DURATION.match(text) if isinstance(text, str) else None
    if not found:
        raise InvalidParameterError(
            f"since must be a whole number and a unit, like 90s, 15m, 1h, 2d or 1w; got {text!r}"
        )
    return float(found.group(1)) * _UNIT_S[found.group(2)]


@dataclass(frozen=True)
class RequestStats:
    endpoint: str
    since_ms: int
    until_ms: int
    requests: int
    errors: int
    """Answers with a status of 400 or more."""
    by_status: dict[str, int] = field(default_factory=dict)
    by_model: dict[str, int] = field(default_factory=dict)
    """Requests per served model version (``name:version``, joined when several)."""
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    requests_per_s: float = 0.0
    collection: dict[str, int] | None = None
    """Data collection since the service started: collected, dropped (queue full), failed."""

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "by_status": dict(self.by_status), "by_model": dict(self.by_model)}


def request_stats(layout: EndpointLayout, name: str, since_ms: int, until_ms: int) -> RequestStats:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    models: Counter[str] = Counter()
    for entry in _entries(layout.request_log_path, since_ms):
        ts = entry.get("ts")
        if not isinstance(ts, int) or not since_ms <= ts <= until_ms:
            continue
        statuses[str(entry.get("status"))] += 1
        models[", ".join(entry.get("models") or ())] += 1
        latency = entry.get("latency_ms")
        if isinstance(latency, (int, float)):
            latencies.append(float(latency))
    latencies.sort()
    requests = sum(statuses.values())
    seconds = max(1.0, (until_ms - since_ms) / 1000)
    return RequestStats(
        endpoint=name,
        since_ms=since_ms,
        until_ms=until_ms,
        requests=requests,
        errors=sum(n for code, n in statuses.items() if not code.isdigit() or int(code) >= 400),
        by_status=dict(sorted(statuses.items())),
        by_model=dict(models.most_common()),
        p50_ms=_percentile(latencies, 50),
        p95_ms=_percentile(latencies, 95),
        p99_ms=_percentile(latencies, 99),
        requests_per_s=round(requests / seconds, 3),
    )


def _percentile(ordered: list[float], q: float) -> float | None:
    """Nearest rank: the smallest latency with at least ``q`` % of requests at or below it."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(len(ordered) * q / 100) - 1)]


def _entries(path: Path, since_ms: int) -> Iterator[dict[str, Any]]:
    for file in _files_oldest_first(path):
        try:
            if file.stat().st_mtime * 1000 < since_ms:
                continue  # written to for the last time before the window
            with open(file, encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue  # a line cut by a crash
                    if isinstance(entry, dict):
                        yield entry
        except FileNotFoundError:
            continue  # rotated away while we read


def _files_oldest_first(path: Path) -> list[Path]:
    numbered = []
    for file in path.parent.glob(path.name + ".*"):
        suffix = file.name[len(path.name) + 1 :]
        if suffix.isdigit():
            numbered.append((int(suffix), file))
    return [file for _, file in sorted(numbered, reverse=True)] + [path]
