"""An endpoint's request log as a time series: per time bucket, requests/s, latency
p50/p95/p99 and requests by status code (what the lab's endpoint panel charts).

The same log and the same nearest-rank percentiles as ``request_stats``; buckets are
``bucket_ms`` wide, the last one ends at ``until_ms``, and a bucket without requests has
a rate of 0 and no latencies (``None``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.serving.layout import EndpointLayout
from jupyter_mlws.serving.request_stats import _entries, _percentile

MAX_BUCKETS = 1440


@dataclass(frozen=True)
class RequestSeries:
    endpoint: str
    since_ms: int
    until_ms: int
    bucket_ms: int
    times_ms: list[int]
    """The start of each bucket."""
    requests: list[int]
    requests_per_s: list[float]
    p50_ms: list[float | None]
    p95_ms: list[float | None]
    p99_ms: list[float | None]
    by_status: dict[str, list[int]]
    """Per status code seen in the window, its count in each bucket."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def request_series(
    layout: EndpointLayout, name: str, since_ms: int, until_ms: int, bucket_ms: int
) -> RequestSeries:
    if bucket_ms <= 0:
        raise InvalidParameterError(f"bucket must be positive, got {bucket_ms} ms")
    count = -(-(until_ms - since_ms) // bucket_ms)
    if count > MAX_BUCKETS:
        raise InvalidParameterError(
            f"{count} buckets is too many (at most {MAX_BUCKETS}): give a larger bucket"
        )
    start = until_ms - count * bucket_ms
    latencies: list[list[float]] = [[] for _ in range(count)]
    statuses: list[Counter[str]] = [Counter() for _ in range(count)]
    for entry in _entries(layout.request_log_path, start):
        ts = entry.get("ts")
        if not isinstance(ts, int) or not start <= ts <= until_ms:
            continue
        index = min(count - 1, (ts - start) // bucket_ms)
        statuses[index][str(entry.get("status"))] += 1
        latency = entry.get("latency_ms")
        if isinstance(latency, (int, float)):
            latencies[index].append(float(latency))
    for bucket in latencies:
        bucket.sort()
    requests = [sum(c.values()) for c in statuses]
    codes = sorted({code for c in statuses for code in c})
    return RequestSeries(
        endpoint=name,
        since_ms=start,
        until_ms=until_ms,
        bucket_ms=bucket_ms,
        times_ms=[start + i * bucket_ms for i in range(count)],
        requests=requests,
        requests_per_s=[round(n * 1000 / bucket_ms, 3) for n in requests],
        p50_ms=[_percentile(b, 50) for b in latencies],
        p95_ms=[_percentile(b, 95) for b in latencies],
        p99_ms=[_percentile(b, 99) for b in latencies],
        by_status={code: [c.get(code, 0) for c in statuses] for code in codes},
    )
