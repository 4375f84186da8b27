"""System metrics of a run: a thread samples its process tree and writes ``system/…``.

The names follow MLflow's system metrics where one exists (``system/cpu_utilization_
percentage``, ``system/system_memory_usage_megabytes``, ``system/gpu_0_…``); the
process-tree ones are ours. Points are written straight to the store with the sample
number as step, so they chart, compare and export like any metric.

Metrics (MB: mebibytes; "tree": the run's process and all its descendants):

- ``system/cpu_utilization_percentage``: CPU of the tree, % of one core
- ``system/process_memory_rss_megabytes``: resident memory of the tree; its peak is
  the run's peak memory
- ``system/process_count``, ``system/open_files``: processes and descriptors in the tree
- ``system/disk_read_megabytes``, ``system/disk_write_megabytes``: the tree's disk I/O
  since sampling began
- ``system/network_receive_megabytes``, ``system/network_transmit_megabytes``: the
  machine's network I/O since sampling began (no per-process counters exist)
- ``system/system_memory_usage_megabytes``, ``system/system_memory_usage_percentage``:
  the machine's memory in use
- ``system/gpu_N_utilization_percentage``, ``system/gpu_N_memory_usage_megabytes``: per
  GPU, when ``nvidia-ml-py`` finds devices
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import TYPE_CHECKING

from jupyter_mlws.monitoring.gpu import Gpus
from jupyter_mlws.monitoring.process_tree import ProcessTree, TreeSample
from jupyter_mlws.tracking.metric_writer import SYSTEM_PREFIX

if TYPE_CHECKING:
    from jupyter_mlws.store import SqlStore

# The prefix is tracking's: its metric writer keeps these series off the user's steps.
PREFIX = SYSTEM_PREFIX
CPU = PREFIX + "cpu_utilization_percentage"
RSS = PREFIX + "process_memory_rss_megabytes"
log = logging.getLogger(__name__)


def metric_values(sample: TreeSample) -> dict[str, float]:
    values = {
        CPU: sample.cpu_percent,
        RSS: sample.rss_mb,
        "system/process_count": float(sample.processes),
        "system/open_files": float(sample.open_files),
        "system/disk_read_megabytes": sample.disk_read_mb,
        "system/disk_write_megabytes": sample.disk_write_mb,
        "system/network_receive_megabytes": sample.net_receive_mb,
        "system/network_transmit_megabytes": sample.net_transmit_mb,
        "system/system_memory_usage_megabytes": sample.system_memory_mb,
        "system/system_memory_usage_percentage": sample.system_memory_percent,
    }
    for index, (util, memory) in enumerate(sample.gpus):
        values[f"system/gpu_{index}_utilization_percentage"] = util
        values[f"system/gpu_{index}_memory_usage_megabytes"] = memory
    return values


class SystemMetricsMonitor:
    """Samples ``pid``'s process tree every ``interval`` seconds into run ``run_id``.

    ``start()`` takes a first sample at once (so even a short run has one) and ``stop()``
    a last one, then returns once everything sampled is written.
    """

    def __init__(self, store: SqlStore, run_id: str, pid: int, interval: float) -> None:
        self.store = store
        self.run_id = run_id
        self.interval = interval
        self.tree = ProcessTree(pid)
        self.gpus: Gpus | None = None
        self._step = self._next_step()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"mlws-sysmetrics-{run_id[:8]}")
        self._thread.daemon = True
        self._warned = False

    @property
    def peak_rss_mb(self) -> float:
        return self.tree.peak_rss_mb

    def _next_step(self) -> int:
        # A resumed or re-dispatched run continues its series instead of overwriting them.
        steps = [m.step for m in self.store.latest_metrics(self.run_id) if m.key == CPU]
        return steps[0] + 1 if steps else 0

    def start(self) -> SystemMetricsMonitor:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _loop(self) -> None:
        self.gpus = Gpus()  # NVML initialisation may take a moment: not on the caller's path
        try:
            while True:
                self.sample_once()
                if self._stop.wait(self.interval):
                    break
            self.sample_once()
        finally:
            self.gpus.close()

    def sample_once(self) -> None:
        try:
            sample = self.tree.sample()
            if self.gpus is not None:
                sample.gpus = self.gpus.sample()
            if sample.processes == 0:
                return  # the tree is gone: nothing to say about it
            stamp = int(time.time() * 1000)
            points = [(k, v, self._step, stamp) for k, v in metric_values(sample).items()]
            self.store.log_metrics(self.run_id, points)
            self._step += 1
        except Exception as exc:  # a busy store or a vanished process must not stop the run
            if not self._warned:
                self._warned = True
                log.warning("mlws: system metrics of run %s not sampled: %s", self.run_id, exc)


def start_for_process(
    store: SqlStore, run_id: str, pid: int, interval: float
) -> SystemMetricsMonitor:
    return SystemMetricsMonitor(store, run_id, pid, interval).start()


def stop_quietly(monitor: SystemMetricsMonitor | None) -> None:
    if monitor is not None:
        with contextlib.suppress(Exception):
            monitor.stop()
