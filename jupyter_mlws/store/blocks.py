"""Columnar point blocks: encoding, merging and min/max downsampling (numpy).

A block is three little-endian arrays (steps int64, timestamps int64, values float64)
sorted by (step, timestamp) with exact duplicates removed. Everything here works on
whole columns at once, so a million points take milliseconds to check, encode or read.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

STEP, STAMP, VALUE = np.dtype("<i8"), np.dtype("<i8"), np.dtype("<f8")


@dataclass
class Columns:
    steps: np.ndarray
    timestamps: np.ndarray
    values: np.ndarray

    @classmethod
    def empty(cls) -> Columns:
        return cls.from_lists([], [], [])

    @classmethod
    def from_lists(
        cls, steps: Sequence[int], timestamps: Sequence[int], values: Sequence[float]
    ) -> Columns:
        return cls(
            np.asarray(steps, dtype=STEP),
            np.asarray(timestamps, dtype=STAMP),
            np.asarray(values, dtype=VALUE),
        )

    @classmethod
    def from_buffer(cls, steps: array, seconds: array, values: array) -> Columns:
        """The metric writer's buffers: time in float seconds becomes integer ms."""
        stamps = np.frombuffer(seconds, dtype=np.float64) * 1000.0
        return cls(
            np.frombuffer(steps, dtype=np.int64).astype(STEP, copy=False),
            stamps.astype(STAMP),
            np.frombuffer(values, dtype=np.float64).astype(VALUE, copy=False),
        )

    def __len__(self) -> int:
        return len(self.steps)

    def is_sorted_unique(self) -> bool:
        """Strictly increasing in (step, timestamp): the common, fast case."""
        ds, dts = np.diff(self.steps), np.diff(self.timestamps)
        return bool(np.all((ds > 0) | ((ds == 0) & (dts > 0))))

    def sorted_unique(self) -> Columns:
        """Sorted by (step, timestamp), stable (so ties keep the order they were logged
        in and the last one logged is the latest), with exact duplicates removed."""
        if self.is_sorted_unique():
            return self
        s, ts, v = self.steps, self.timestamps, self.values
        bits = v.view(np.int64)  # exact duplicates (NaN included) compare by their bits
        order = np.lexsort((np.arange(len(s)), bits, ts, s))
        s2, ts2, b2 = s[order], ts[order], bits[order]
        first = np.ones(len(s), dtype=bool)
        first[1:] = (s2[1:] != s2[:-1]) | (ts2[1:] != ts2[:-1]) | (b2[1:] != b2[:-1])
        keep = np.sort(order[first])  # first occurrences, in logged order
        keep = keep[np.lexsort((ts[keep], s[keep]))]  # lexsort is stable
        return Columns(s[keep], ts[keep], v[keep])

    def slice(self, start: int, stop: int) -> Columns:
        return Columns(self.steps[start:stop], self.timestamps[start:stop], self.values[start:stop])

    def extend(self, other: Columns) -> None:
        self.steps = np.concatenate([self.steps, other.steps])
        self.timestamps = np.concatenate([self.timestamps, other.timestamps])
        self.values = np.concatenate([self.values, other.values])

    def has_nan(self) -> bool:
        return bool(np.isnan(self.values).any())

    def finite_min_max(self) -> tuple[float | None, float | None]:
        values = self.values[~np.isnan(self.values)] if self.has_nan() else self.values
        if not len(values):
            return None, None
        return float(values.min()), float(values.max())


def encode(values: np.ndarray, dtype: np.dtype) -> bytes:
    return values.astype(dtype, copy=False).tobytes()


def concat(blocks: Iterable[tuple[bytes, bytes, bytes]]) -> Columns:
    # Join the bytes first: one copy per column instead of hundreds of small arrays.
    columns = list(zip(*blocks)) or [(), (), ()]
    steps, timestamps, values = (b"".join(column) for column in columns)
    return Columns(
        np.frombuffer(steps, dtype=STEP),
        np.frombuffer(timestamps, dtype=STAMP),
        np.frombuffer(values, dtype=VALUE),
    )


def minmax_downsample(blocks: Sequence[tuple[bytes, bytes, bytes]], max_points: int) -> Columns:
    """At most ``max_points`` points: each of max_points/2 buckets keeps its min and max.

    NaN points are skipped unless a bucket holds nothing else. Works on the stored bytes
    (one copy of each column), so a million points take milliseconds.
    """
    cols = concat(blocks)
    values = cols.values
    n = len(values)
    if n <= max_points:
        return cols
    size = -(-n // (max_points // 2))  # ceil: points per bucket
    buckets = -(-n // size)
    padded = np.full(buckets * size, np.nan)
    padded[:n] = values
    grid = padded.reshape(buckets, size)
    nan = np.isnan(grid)
    i_min = np.where(nan, np.inf, grid).argmin(axis=1)
    i_max = np.where(nan, -np.inf, grid).argmax(axis=1)
    base = np.arange(buckets) * size
    keep = np.unique(np.concatenate([base + i_min, base + i_max]))
    keep = keep[keep < n]
    return Columns(cols.steps[keep], cols.timestamps[keep], values[keep])
