"""``GET /metrics``: the service's Prometheus metrics, summed over all of its workers.

prometheus-client in its multiprocess mode: every worker (and the supervisor, for
worker restarts) writes its values to memory-mapped files in one folder, and whichever
worker answers a scrape adds them up, so a scrape sees the whole service, not the
worker that happened to accept it. The supervisor sets ``PROMETHEUS_MULTIPROC_DIR``
(empty at each start) before any process imports prometheus-client; without the
package the service runs as before and ``/metrics`` says what to install.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Any

ENV_DIR = "PROMETHEUS_MULTIPROC_DIR"
MISSING = "metrics need prometheus-client: pip install prometheus-client (or jupyter-mlws[serving])"
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
ROUTES = ("score", "infer", "health", "metrics", "other")


def available() -> bool:
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        return False
    return True


def prepare_dir(folder: str) -> None:
    """An empty folder for this run's values (counts start again with the service)."""
    path = Path(folder)
    if path.exists():
        shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    os.environ[ENV_DIR] = str(path)


def route_of(path: str) -> str:
    """A label of few values: a path from the request would let callers grow the series."""
    if path == "/score":
        return "score"
    if path.endswith("/infer"):
        return "infer"
    if path == "/metrics":
        return "metrics"
    if path in ("/health", "/v2/health/live", "/v2/health/ready"):
        return "health"
    return "other"


class ServiceMetrics:
    """A worker's counters: requests by route and status code, latency, in flight."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        self.requests = Counter(
            "mlws_requests", "Requests answered, by route and status code", ["route", "code"]
        )
        self.latency = Histogram(
            "mlws_request_duration_seconds",
            "Time from a request's arrival to its answer",
            ["route"],
            buckets=LATENCY_BUCKETS,
        )
        self.in_flight = Gauge(
            "mlws_requests_in_flight", "Requests being answered", multiprocess_mode="livesum"
        )
        self._children: dict[tuple[str, int], Any] = {}
        self._latency_children = {route: self.latency.labels(route) for route in ROUTES}

    def started(self) -> None:
        self.in_flight.inc()

    def finished(self, route: str, status: int, seconds: float) -> None:
        self.in_flight.dec()
        child = self._children.get((route, status))
        if child is None:
            child = self._children[(route, status)] = self.requests.labels(route, str(status))
        child.inc()
        self._latency_children[route].observe(seconds)


def render() -> tuple[bytes, str]:
    """The text exposition of every process's values, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return generate_latest(registry), CONTENT_TYPE_LATEST


class SupervisorMetrics:
    """What only the supervisor knows: workers it had to restart."""

    def __init__(self) -> None:
        from prometheus_client import Counter

        self.restarts = Counter("mlws_worker_restarts", "Workers that died and were replaced")

    def worker_gone(self, pid: int, restarted: bool) -> None:
        from prometheus_client import multiprocess

        with contextlib.suppress(OSError):
            multiprocess.mark_process_dead(pid)  # its in-flight count no longer counts
        if restarted:
            self.restarts.inc()


class CollectionMetrics:
    """Data collection of a worker: records written, dropped (queue full), failed writes."""

    def __init__(self) -> None:
        from prometheus_client import Counter

        self.collected = Counter("mlws_collected_records", "Requests whose data was written")
        self.dropped = Counter(
            "mlws_collected_dropped", "Sampled requests not collected: the queue was full"
        )
        self.failed = Counter("mlws_collected_failed", "Collected records whose write failed")
