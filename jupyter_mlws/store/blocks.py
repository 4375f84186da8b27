"""Columnar point blocks: encoding, merging and min/max downsampling (pure Python).

A block is three little-endian arrays (steps int64, timestamps int64, values float64)
sorted by (step, timestamp) with exact duplicates removed.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

_SWAP = sys.byteorder != "little"


@dataclass
class Columns:
    steps: array
    timestamps: array
    values: array

    @classmethod
    def empty(cls) -> Columns:
        return cls(array("q"), array("q"), array("d"))

    @classmethod
    def from_lists(
        cls, steps: Sequence[int], timestamps: Sequence[int], values: Sequence[float]
    ) -> Columns:
        return cls(array("q", steps), array("q", timestamps), array("d", values))

    def __len__(self) -> int:
        return len(self.steps)

    def is_sorted_unique(self) -> bool:
        """Strictly increasing in (step, timestamp): the common, fast case."""
        s, ts = self.steps, self.timestamps
        return all(
            s[i] < s[i + 1] or (s[i] == s[i + 1] and ts[i] < ts[i + 1]) for i in range(len(s) - 1)
        )

    def sorted_unique(self) -> Columns:
        """Sorted by (step, timestamp), stable (so ties keep the order they were logged
        in and the last one logged is the latest), with exact duplicates removed."""
        if self.is_sorted_unique():
            return self
        # Compare values by their bits: exact duplicates (NaN included) collapse to one.
        bits = array("q")
        bits.frombytes(self.values.tobytes())
        unique = list(dict.fromkeys(zip(self.steps, self.timestamps, bits)))
        unique.sort(key=lambda p: (p[0], p[1]))
        out_bits = array("q", [p[2] for p in unique])
        out_values = array("d")
        out_values.frombytes(out_bits.tobytes())
        return Columns(
            array("q", [p[0] for p in unique]), array("q", [p[1] for p in unique]), out_values
        )

    def slice(self, start: int, stop: int) -> Columns:
        return Columns(self.steps[start:stop], self.timestamps[start:stop], self.values[start:stop])

    def extend(self, other: Columns) -> None:
        self.steps.extend(other.steps)
        self.timestamps.extend(other.timestamps)
        self.values.extend(other.values)

    def has_nan(self) -> bool:
        return any(v != v for v in self.values)

    def finite_min_max(self) -> tuple[float | None, float | None]:
        values = [v for v in self.values if v == v] if self.has_nan() else self.values
        if not values:
            return None, None
        return min(values), max(values)


def encode(values: array) -> bytes:
    if _SWAP:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def decode(typecode: str, data: bytes) -> array:
    out = array(typecode)
    out.frombytes(data)
    if _SWAP:
        out.byteswap()
    return out


def concat(blocks: Iterable[tuple[bytes, bytes, bytes]]) -> Columns:
    # Join the bytes first: one copy per column instead of hundreds of array growths.
    columns = list(zip(*blocks)) or [(), (), ()]
    steps, timestamps, values = (b"".join(column) for column in columns)
    return Columns(decode("q", steps), decode("q", timestamps), decode("d", values))


def minmax_downsample(
    blocks: Sequence[tuple[bytes, bytes, bytes]], max_points: int
) -> tuple[list[int], list[int], list[float]]:
    """At most ``max_points`` points: each of max_points/2 buckets keeps its min and max.

    NaN points are skipped unless a bucket holds nothing else. Works on the stored bytes
    with numpy (one copy of each column), so a million points take milliseconds.
    """
    import numpy as np

    def column(index: int, dtype: str) -> Any:
        return np.frombuffer(b"".join(block[index] for block in blocks), dtype=dtype)

    values = column(2, "<f8")
    n = len(values)
    if n <= max_points:
        keep = np.arange(n)
    else:
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
    return (
        column(0, "<i8")[keep].tolist(),
        column(1, "<i8")[keep].tolist(),
        values[keep].tolist(),
    )
