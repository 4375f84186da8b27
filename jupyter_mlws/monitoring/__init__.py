"""Monitoring: system metrics of runs (and, as they land, endpoint telemetry, data
collection and the workspace's activity log)."""

from __future__ import annotations

from jupyter_mlws.monitoring.system_metrics import SystemMetricsMonitor, start_for_process
from jupyter_mlws.tracking import system_metrics_hook

# Interactive runs live in tracking, below this package: they reach the sampler here.
system_metrics_hook.register(start_for_process)

__all__ = ["SystemMetricsMonitor", "start_for_process"]
