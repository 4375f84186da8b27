"""System-metrics sampler overhead, side by side with no sampling, in one run.

    python bench/bench_monitoring.py [--quick] [--seconds 60] [--interval 5]

A long-running child process (with two grandchildren, as a kernel with workers) runs
for the whole bench. Over the same wall-clock window this process first only waits
(anchor: no sampling), then runs the runner's ``SystemMetricsMonitor`` on the child's
tree, writing into a real SQLite workspace. The sampler's cost is the difference in
this process's CPU time (user + system), as a share of one core.
Target: <= 1% of one core at the default interval (5 s).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import report

from jupyter_mlws import Workspace
from jupyter_mlws.monitoring.system_metrics import SystemMetricsMonitor

CHILD = """
import subprocess, sys, time
kids = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"]) for _ in range(2)]
time.sleep(3600)
"""


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def window(seconds: float, monitor: SystemMetricsMonitor | None) -> float:
    before = cpu_seconds()
    if monitor is not None:
        monitor.start()
    time.sleep(seconds)
    if monitor is not None:
        monitor.stop()
    return cpu_seconds() - before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a 15 s window")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=5.0)
    args = parser.parse_args()
    seconds = 15.0 if args.quick else args.seconds
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.init(Path(tmp) / "proj")
        run = ws.experiment("bench").start_logging()
        child = subprocess.Popen([sys.executable, "-c", CHILD])
        try:
            warm = SystemMetricsMonitor(ws.store, run.id, child.pid, args.interval)
            warm.sample_once()  # imports and first /proc reads out of the measured window
            idle = window(seconds, None)
            monitor = SystemMetricsMonitor(ws.store, run.id, child.pid, args.interval)
            sampled = window(seconds, monitor)
            samples = monitor._step - warm._step
        finally:
            child.kill()
            child.wait()
        run.complete()
    cost = max(sampled - idle, 0.0)
    share = 100.0 * cost / seconds
    report(
        [
            (
                f"sampler CPU over {seconds:.0f} s, every {args.interval:g} s ({samples} samples)",
                f"{sampled * 1000:.1f} ms CPU",
                f"{idle * 1000:.1f} ms CPU (no sampling)",
                f"{share:.3f}% of one core (target <= 1%)",
            ),
            (
                "CPU per sample (tree of 3 + store write)",
                f"{1000 * cost / max(samples, 1):.2f} ms",
                "-",
                "-",
            ),
        ]
    )


if __name__ == "__main__":
    main()
