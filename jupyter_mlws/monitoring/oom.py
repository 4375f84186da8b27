"""Tell a run that died for memory from one that failed otherwise.

Three signs, strongest first: the kernel's OOM killer counted a kill in this cgroup
while the run ran (cgroup v2 ``memory.events``); the run's process was SIGKILLed by
someone other than the runner; the run's last words were a ``MemoryError`` (an address
space limit, ``RLIMIT_AS``, makes Python raise it instead of being killed).
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

CGROUP_ROOT = Path("/sys/fs/cgroup")


def oom_kills() -> int | None:
    """OOM kills counted so far in this process's cgroup (None: not knowable here)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
        path = next(line.split(":", 2)[2] for line in lines if line.startswith("0::"))
        events = (CGROUP_ROOT / path.lstrip("/") / "memory.events").read_text()
    except (OSError, StopIteration, IndexError):
        return None
    for line in events.splitlines():
        name, _, count = line.partition(" ")
        if name == "oom_kill":
            return int(count)
    return None


def memory_failure(
    code: int,
    last_error_line: str | None,
    peak_rss_mb: float | None,
    kills_before: int | None,
    kills_after: int | None,
) -> dict[str, Any] | None:
    """The error fields of a run that ran out of memory, or None when it did not."""
    peak = f" (peak memory {peak_rss_mb:,.0f} MB)" if peak_rss_mb else ""
    killed = code == -signal.SIGKILL
    if (
        killed
        and kills_before is not None
        and kills_after is not None
        and kills_after > kills_before
    ):
        return {"message": f"killed by the out-of-memory killer{peak}", "oom": True}
    if killed:
        return {
            "message": f"killed by signal SIGKILL, most likely for running out of memory{peak}",
            "oom": True,
        }
    if last_error_line and last_error_line.split(":", 1)[0].strip() == "MemoryError":
        return {"message": f"ran out of memory: {last_error_line.strip()}{peak}", "oom": True}
    return None
