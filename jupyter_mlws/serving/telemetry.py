"""Endpoint telemetry as users read it: requests, errors, p50/p95 latency."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jupyter_mlws.entities import EndpointMetricWindow, now_ms
from jupyter_mlws.serving.runtime.telemetry import percentile
from jupyter_mlws.store import SqlStore

RECENT_S = 300


@dataclass(frozen=True)
class EndpointStats:
    requests: int
    errors: int
    client_errors: int
    mean_ms: float | None
    p50_ms: float | None
    p95_ms: float | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def describe(self) -> str:
        if not self.requests:
            return "no requests"
        return (
            f"{self.requests} requests, {self.errors} errors, {self.client_errors} client errors; "
            f"latency p50 {_ms(self.p50_ms)}, p95 {_ms(self.p95_ms)}, mean {_ms(self.mean_ms)}"
        )


def summarize(windows: Sequence[EndpointMetricWindow]) -> EndpointStats:
    merged: dict[int, int] = {}
    for window in windows:
        for bucket, count in window.histogram.items():
            merged[bucket] = merged.get(bucket, 0) + count
    requests = sum(w.count for w in windows)
    return EndpointStats(
        requests=requests,
        errors=sum(w.errors for w in windows),
        client_errors=sum(w.client_errors for w in windows),
        mean_ms=sum(w.total_ms for w in windows) / requests if requests else None,
        p50_ms=percentile(merged, 50),
        p95_ms=percentile(merged, 95),
    )


def endpoint_stats(store: SqlStore, name: str) -> dict[str, EndpointStats]:
    """All requests since the endpoint was deployed, and those of the last five minutes."""
    windows = store.list_endpoint_metrics(name)
    since = now_ms() - RECENT_S * 1000
    return {
        "total": summarize(windows),
        "last_5_min": summarize([w for w in windows if w.end_ms >= since]),
    }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} ms"
