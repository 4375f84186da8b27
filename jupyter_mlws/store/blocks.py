"""Columnar point blocks: encoding, merging and min/max downsampling (numpy).

A block is three little-endian arrays (steps int64, timestamps int64, values float64)
sorted by (step, timestamp) with exact duplicates removed. Steps that count up by one
from the block's first step (auto-numbered steps, the common case) are stored as an
empty blob and rebuilt from ``first_step`` and ``n``: a third less to read. Everything
here works on whole columns at once, so a million points take milliseconds.

Stored blocks travel as ``Block`` tuples: (first_step, n, steps, timestamps, values).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

STEP, STAMP, VALUE = np.dtype("<i8"), np.dtype("<i8"), np.dtype("<f8")
Block = tuple[int, int, bytes, bytes, bytes]


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


def encode_steps(steps: np.ndarray) -> bytes:
    """Empty when the steps count up by one (they are rebuilt from first_step and n)."""
    if len(steps) and bool(np.all(np.diff(steps) == 1)):
        return b""
    return encode(steps, STEP)


def concat(blocks: Iterable[Block]) -> Columns:
    # Join the bytes first: one copy per column instead of hundreds of small arrays.
    blocks = list(blocks)
    timestamps = b"".join(b[3] for b in blocks)
    values = b"".join(b[4] for b in blocks)
    return Columns(
        _steps(blocks), np.frombuffer(timestamps, dtype=STAMP), np.frombuffer(values, dtype=VALUE)
    )


def _steps(blocks: list[Block]) -> np.ndarray:
    if all(b[2] for b in blocks):
        return np.frombuffer(b"".join(b[2] for b in blocks), dtype=STEP)
    first, total = (blocks[0][0], sum(b[1] for b in blocks)) if blocks else (0, 0)
    if all(not b[2] for b in blocks) and all(b[0] == a[0] + a[1] for a, b in pairwise(blocks)):
        return np.arange(first, first + total, dtype=STEP)  # one run of counted steps
    return np.concatenate(
        [
            np.frombuffer(b[2], dtype=STEP) if b[2] else np.arange(b[0], b[0] + b[1], dtype=STEP)
            for b in blocks
        ]
    )


def minmax_downsample(blocks: Sequence[Block], max_points: int) -> Columns:
    """Exactly ``max_points`` points of a longer series (all of a shorter one), in order.

    The last point is always kept (a chart must end at the latest value). The others
    are split into (max_points - 1) // 2 buckets, each keeping its min and max, so every
    peak survives; slots left over (odd counts, buckets whose min is their max) take
    evenly spaced points, the first one included. NaN points are skipped unless a bucket
    holds nothing else. Only the value column is joined; steps and timestamps are picked
    out of their blocks for the kept points.
    """
    values = np.frombuffer(b"".join(b[4] for b in blocks), dtype=VALUE)
    n = len(values)
    if n <= max_points:
        return concat(blocks)
    keep = np.unique(
        np.concatenate([[n - 1], _bucket_picks(values[: n - 1], (max_points - 1) // 2)])
    )
    short = max_points - len(keep)
    if short > 0:  # fewer than len(rest) by construction, so the spaced picks are distinct
        rest = np.setdiff1d(np.arange(n), keep, assume_unique=True)
        spaced = np.linspace(0, len(rest) - 1, short).round().astype(np.int64)
        keep = np.sort(np.concatenate([keep, rest[spaced]]))
    starts = np.cumsum([0] + [b[1] for b in blocks])
    return Columns(
        _pick(blocks, starts, keep, 2, STEP),  # column 2: steps
        _pick(blocks, starts, keep, 3, STAMP),  # column 3: timestamps
        values[keep],
    )


def _bucket_picks(values: np.ndarray, buckets: int) -> np.ndarray:
    """Indices of the min and max of each of at most ``buckets`` equal runs of ``values``."""
    n = len(values)
    if buckets < 1 or n == 0:
        return np.empty(0, dtype=np.int64)
    size = -(-n // buckets)  # ceil: points per bucket
    full = n // size
    picks = [_bucket_extremes(values[: full * size].reshape(full, size))]
    if full * size < n:  # the last, shorter bucket
        picks.append(_bucket_extremes(values[full * size :].reshape(1, -1)) + full * size)
    return np.concatenate(picks)


def _bucket_extremes(grid: np.ndarray) -> np.ndarray:
    """Flat indices of each row's min and max (ignoring NaN unless a row is all NaN)."""
    nan = np.isnan(grid)
    if nan.any():
        i_min = np.where(nan, np.inf, grid).argmin(axis=1)
        i_max = np.where(nan, -np.inf, grid).argmax(axis=1)
    else:
        i_min, i_max = grid.argmin(axis=1), grid.argmax(axis=1)
    base = np.arange(len(grid)) * grid.shape[1]
    return np.concatenate([base + i_min, base + i_max])


def _pick(
    blocks: Sequence[Block], starts: np.ndarray, keep: np.ndarray, column: int, dtype: np.dtype
) -> np.ndarray:
    """The values of one column at the sorted positions ``keep``, block by block."""
    out = np.empty(len(keep), dtype=dtype)
    bounds = np.searchsorted(keep, starts)
    for i, block in enumerate(blocks):
        lo, hi = bounds[i], bounds[i + 1]
        if lo == hi:
            continue
        local = keep[lo:hi] - starts[i]
        data = block[2] if column == 2 else block[3]
        if column == 2 and not data:  # counted steps
            out[lo:hi] = block[0] + local
        else:
            out[lo:hi] = np.frombuffer(data, dtype=dtype)[local]
    return out
