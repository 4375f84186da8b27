"""Helpers shared by the benchmark scripts: timing, medians and the ratio table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def median_of(fn: Callable[[], Any], repeat: int) -> float:
    return statistics.median(timed(fn)[0] for _ in range(repeat))


def report(rows: list[tuple[str, str, str, str]]) -> None:
    """Print (measure, ours, anchor, verdict) rows as an aligned table."""
    header = ("measure", "jupyter-mlws", "anchor", "ratio / target")
    table = [header, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
