"""Resource use of a whole process tree (a run's process, its kernel, its subprocesses).

psutil reads ``/proc`` for each process; CPU time is accumulated per process between
samples, so a child that started and ended between two samples is missed but nothing is
counted twice. Network I/O is per machine (no per-process counters exist on Linux
without privileges), reported as the amount since sampling began, as MLflow does.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

MB = 1024 * 1024


@dataclass
class TreeSample:
    cpu_percent: float  # of one core: 250 means two and a half cores busy
    rss_mb: float
    open_files: int
    disk_read_mb: float
    disk_write_mb: float
    processes: int
    system_memory_mb: float
    system_memory_percent: float
    net_receive_mb: float
    net_transmit_mb: float
    gpus: list[tuple[float, float]] = field(default_factory=list)  # (util %, memory MB)


class ProcessTree:
    """Samples ``root_pid`` and all its descendants."""

    def __init__(self, root_pid: int) -> None:
        import psutil

        self._psutil = psutil
        self.root = psutil.Process(root_pid)
        self._procs: dict[int, Any] = {}
        self._cpu_seen: dict[int, float] = {}
        self._io_seen: dict[int, tuple[int, int]] = {}
        self._io_total = [0, 0]
        net = psutil.net_io_counters()
        self._net0 = (net.bytes_recv, net.bytes_sent) if net else (0, 0)
        self._last = time.monotonic()
        self.peak_rss_mb = 0.0

    def _members(self) -> list[Any]:
        try:
            found = [self.root, *self.root.children(recursive=True)]
        except self._psutil.NoSuchProcess:
            return []
        # Keep the Process objects between samples: psutil checks pid reuse with them.
        live = {}
        for proc in found:
            live[proc.pid] = self._procs.get(proc.pid, proc)
        for pid in set(self._procs) - set(live):
            self._cpu_seen.pop(pid, None)
            self._io_seen.pop(pid, None)
        self._procs = live
        return list(live.values())

    def sample(self) -> TreeSample:
        psutil = self._psutil
        now = time.monotonic()
        elapsed = max(now - self._last, 1e-6)
        self._last = now
        cpu_delta = 0.0
        rss = 0
        fds = 0
        members = self._members()
        for proc in members:
            with contextlib.suppress(psutil.Error, OSError), proc.oneshot():
                times = proc.cpu_times()
                total = times.user + times.system
                cpu_delta += total - self._cpu_seen.get(proc.pid, 0.0)
                self._cpu_seen[proc.pid] = total
                rss += proc.memory_info().rss
                fds += proc.num_fds()
                self._add_io(proc)
        vm = psutil.virtual_memory()
        net = psutil.net_io_counters()
        recv, sent = (net.bytes_recv, net.bytes_sent) if net else self._net0
        rss_mb = rss / MB
        self.peak_rss_mb = max(self.peak_rss_mb, rss_mb)
        return TreeSample(
            cpu_percent=100.0 * cpu_delta / elapsed,
            rss_mb=rss_mb,
            open_files=fds,
            disk_read_mb=self._io_total[0] / MB,
            disk_write_mb=self._io_total[1] / MB,
            processes=len(members),
            system_memory_mb=(vm.total - vm.available) / MB,
            system_memory_percent=float(vm.percent),
            net_receive_mb=(recv - self._net0[0]) / MB,
            net_transmit_mb=(sent - self._net0[1]) / MB,
        )

    def _add_io(self, proc: Any) -> None:
        try:
            io = proc.io_counters()
        except (AttributeError, self._psutil.AccessDenied):
            return
        before = self._io_seen.get(proc.pid, (0, 0))
        self._io_total[0] += io.read_bytes - before[0]
        self._io_total[1] += io.write_bytes - before[1]
        self._io_seen[proc.pid] = (io.read_bytes, io.write_bytes)
