"""Scalar metrics: exact history, idempotent and out-of-order writes, NaN/inf, summaries,
and the min/max-preserving downsampled view."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jupyter_mlws.entities import RunRecord
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.store import SqlStore
from jupyter_mlws.store.blocks import Columns

Point = tuple[int, int, float]  # step, timestamp, value


def write(store: SqlStore, run_id: str, key: str, points: list[Point]) -> None:
    store.log_metrics(run_id, [(key, v, s, ts) for s, ts, v in points])


def history(store: SqlStore, run_id: str, key: str) -> list[Point]:
    series = store.metric_history(run_id, key)
    return list(zip(series.steps.tolist(), series.timestamps.tolist(), series.values.tolist()))


def same_points(got: list[Point], expected: list[Point]) -> bool:
    """Equal, with NaN equal to NaN."""
    return len(got) == len(expected) and all(
        g[:2] == e[:2] and (g[2] == e[2] or (math.isnan(g[2]) and math.isnan(e[2])))
        for g, e in zip(got, expected)
    )


def points(steps: range, offset: float = 0.0) -> list[Point]:
    return [(s, 1_000 + s, s * 0.5 + offset) for s in steps]


def test_history_equals_what_was_written(store: SqlStore, run: RunRecord) -> None:
    expected = points(range(300))
    for start in range(0, 300, 100):
        write(store, run.id, "loss", expected[start : start + 100])

    assert history(store, run.id, "loss") == expected
    series = store.metric_history(run.id, "loss")
    assert len(series) == 300
    assert series.points()[7].value == 3.5 and series.points()[7].step == 7


def test_many_keys_in_one_batch(store: SqlStore, run: RunRecord) -> None:
    store.log_metric_columns(
        run.id,
        {
            "loss": Columns.from_lists([0, 1, 2], [10, 11, 12], [0.9, 0.5, 0.25]),
            "acc": Columns.from_lists([0, 1], [10, 11], [0.1, 0.6]),
            "empty": Columns.empty(),
        },
    )
    assert store.metric_keys(run.id) == ["acc", "loss"]
    assert history(store, run.id, "loss") == [(0, 10, 0.9), (1, 11, 0.5), (2, 12, 0.25)]
    assert history(store, run.id, "acc") == [(0, 10, 0.1), (1, 11, 0.6)]


def test_large_series_spans_many_blocks(store: SqlStore, run: RunRecord) -> None:
    expected = points(range(20_000))
    write(store, run.id, "loss", expected[:12_345])
    write(store, run.id, "loss", expected[12_345:])

    assert history(store, run.id, "loss") == expected
    (latest,) = store.latest_metrics(run.id)
    assert (latest.count, latest.step, latest.value) == (20_000, 19_999, 19_999 * 0.5)


def test_exact_duplicates_are_written_once(store: SqlStore, run: RunRecord) -> None:
    batch = points(range(50))
    write(store, run.id, "loss", batch)
    write(store, run.id, "loss", batch)  # a retried flush
    write(store, run.id, "loss", batch[10:20])
    write(store, run.id, "loss", batch[3:4] * 5)  # duplicates inside one batch

    assert history(store, run.id, "loss") == batch
    assert store.latest_metrics(run.id)[0].count == 50


def test_out_of_order_batches_are_merged_in_step_order(store: SqlStore, run: RunRecord) -> None:
    expected = points(range(100))
    write(store, run.id, "loss", expected[0::2])  # even steps
    write(store, run.id, "loss", expected[1::2])  # then odd steps, all "in the past"
    write(store, run.id, "acc", expected[::-1])  # one batch in reverse order

    assert history(store, run.id, "loss") == expected
    assert history(store, run.id, "acc") == expected
    counts = {m.key: m.count for m in store.latest_metrics(run.id)}
    assert counts == {"acc": 100, "loss": 100}


def test_overlapping_batches_are_merged(store: SqlStore, run: RunRecord) -> None:
    expected = points(range(10_000))
    write(store, run.id, "loss", expected[:6_000])
    write(store, run.id, "loss", expected[4_000:])  # 2,000 points written twice
    write(store, run.id, "loss", expected[100:9_000:7])  # reaches back over several blocks

    assert history(store, run.id, "loss") == expected
    assert store.latest_metrics(run.id)[0].count == 10_000


def test_counted_and_sparse_steps_read_back_exactly(store: SqlStore, run: RunRecord) -> None:
    """Steps that count up by one are stored implicitly; sparse steps, gaps between
    counted blocks and repeated steps must all come back as written."""
    expected = points(range(5_000))  # counted, over two blocks
    expected += points(range(6_000, 6_300, 3))  # sparse
    expected += points(range(10_000, 14_500))  # counted again, after a gap
    expected += [(14_500, 99_999, 1.0), (14_500, 100_000, 2.0)]  # one step twice
    for start in range(0, len(expected), 1_700):  # several flushes
        write(store, run.id, "loss", expected[start : start + 1_700])

    assert history(store, run.id, "loss") == expected
    view = store.metric_downsampled(run.id, "loss", 20_000)
    assert view.steps.tolist() == [p[0] for p in expected]


def test_points_that_differ_are_all_kept(store: SqlStore, run: RunRecord) -> None:
    write(store, run.id, "loss", [(1, 100, 0.5), (2, 200, 0.25)])
    write(store, run.id, "loss", [(1, 150, 0.4)])  # same step, later time: a new point
    write(store, run.id, "loss", [(2, 200, 0.3)])  # same step and time, other value

    got = history(store, run.id, "loss")
    assert [(s, ts) for s, ts, _ in got] == [(1, 100), (1, 150), (2, 200), (2, 200)]
    assert sorted(v for _, _, v in got) == [0.25, 0.3, 0.4, 0.5]
    assert store.latest_metrics(run.id)[0].count == 4


def test_nan_and_infinities_are_stored_faithfully(store: SqlStore, run: RunRecord) -> None:
    nan, inf = float("nan"), float("inf")
    written = [(0, 1, 1.0), (1, 2, nan), (2, 3, inf), (3, 4, -inf), (4, 5, -0.0), (5, 6, 2.0)]
    write(store, run.id, "loss", written)
    write(store, run.id, "loss", written)  # NaN duplicates collapse like any other

    got = history(store, run.id, "loss")
    assert same_points(got, written)
    assert math.copysign(1.0, got[4][2]) == -1.0  # -0.0 keeps its sign

    (latest,) = store.latest_metrics(run.id)
    assert (latest.value, latest.step, latest.timestamp, latest.count) == (2.0, 5, 6, 6)
    assert latest.min == -inf and latest.max == inf


def test_nan_as_latest_value(store: SqlStore, run: RunRecord) -> None:
    write(store, run.id, "loss", [(0, 1, 0.5), (1, 2, 0.25), (2, 3, float("nan"))])

    (latest,) = store.latest_metrics(run.id)
    assert math.isnan(latest.value) and latest.step == 2 and latest.count == 3
    assert (latest.min, latest.max) == (0.25, 0.5)  # NaN is not a min or max
    assert math.isnan(store.get_run(run.id).metrics["loss"])


def test_latest_is_the_last_step_not_the_last_write(store: SqlStore, run: RunRecord) -> None:
    write(store, run.id, "loss", [(10, 100, 0.1), (11, 110, 0.2)])
    write(store, run.id, "loss", [(5, 50, 9.0), (3, 30, -4.0)])  # late points from the past

    (latest,) = store.latest_metrics(run.id)
    assert (latest.key, latest.value, latest.step, latest.timestamp) == ("loss", 0.2, 11, 110)
    assert (latest.count, latest.min, latest.max) == (4, -4.0, 9.0)
    assert store.get_run(run.id).metrics == {"loss": 0.2}


def test_values_of_every_number_type(store: SqlStore, run: RunRecord) -> None:
    store.log_metrics(run.id, [("m", 3, 0, 1), ("m", True, 1, 2), ("m", np.float32(0.5), 2, 3)])
    assert history(store, run.id, "m") == [(0, 1, 3.0), (1, 2, 1.0), (2, 3, 0.5)]


@pytest.mark.parametrize(
    "key", ["", " loss", "-loss", "a/../b", "x" * 251, "tab\tkey", "loss\n", "new\nline"]
)
def test_invalid_metric_names_are_rejected(store: SqlStore, run: RunRecord, key: str) -> None:
    with pytest.raises(InvalidParameterError):
        store.log_metrics(run.id, [(key, 1.0, 0, 0)])
    assert store.metric_keys(run.id) == []


@pytest.mark.parametrize("key", ["loss", "val/loss", "f1:macro", "Top 5.acc", "_x", "a" * 250])
def test_valid_metric_names(store: SqlStore, run: RunRecord, key: str) -> None:
    store.log_metrics(run.id, [(key, 1.0, 0, 0)])
    assert store.metric_keys(run.id) == [key]


def test_unknown_run_or_metric_is_not_found(store: SqlStore, run: RunRecord) -> None:
    write(store, run.id, "loss", [(0, 0, 1.0)])
    with pytest.raises(ResourceNotFoundError):
        store.metric_history(run.id, "acc")
    with pytest.raises(ResourceNotFoundError):
        store.metric_history("0" * 32, "loss")
    with pytest.raises(ResourceNotFoundError):
        store.log_metrics("0" * 32, [("loss", 1.0, 0, 0)])
    with pytest.raises(ResourceNotFoundError):
        store.latest_metrics("0" * 32)


# ---- downsampled reads ------------------------------------------------------------------


def test_downsample_keeps_the_global_min_and_max(store: SqlStore, run: RunRecord) -> None:
    rng = np.random.default_rng(7)
    n = 25_003
    values = rng.normal(size=n).cumsum()
    low_at, high_at = 12_345, 20_001
    values[low_at] = values.min() - 10
    values[high_at] = values.max() + 10
    values[100:110] = np.nan
    written = [(s, 5_000 + s, float(v)) for s, v in enumerate(values)]
    write(store, run.id, "loss", written)

    for max_points in (2, 3, 4, 100, 1_000, 4_097):
        view = store.metric_downsampled(run.id, "loss", max_points)
        assert len(view) == max_points, "asked for N points of a longer series: N points"
        steps = view.steps.tolist()
        assert steps == sorted(set(steps)), "a subset of the points, in step order"
        assert steps[-1] == n - 1, "the chart ends at the latest point"
        if max_points == 2:
            assert steps == [0, n - 1]
            continue
        assert low_at in steps and high_at in steps
        finite = [v for v in view.values.tolist() if not math.isnan(v)]
        assert min(finite) == values[low_at] and max(finite) == values[high_at]
        for step, ts, value in zip(steps, view.timestamps.tolist(), view.values.tolist()):
            assert same_points([(step, ts, value)], [written[step]])


def test_downsample_of_a_flat_series_still_gives_n_points(store: SqlStore, run: RunRecord) -> None:
    # every bucket's min is its max: the spare slots are filled with spaced points
    write(store, run.id, "loss", [(s, s, 1.0) for s in range(1_001)])
    for max_points in (5, 7, 100):
        steps = store.metric_downsampled(run.id, "loss", max_points).steps.tolist()
        assert len(steps) == max_points and steps[0] == 0 and steps[-1] == 1_000
        assert steps == sorted(set(steps))


def test_downsample_of_a_short_series_is_the_whole_series(store: SqlStore, run: RunRecord) -> None:
    written = points(range(50))
    write(store, run.id, "loss", written)
    view = store.metric_downsampled(run.id, "loss", 50)
    assert list(zip(view.steps.tolist(), view.timestamps.tolist(), view.values.tolist())) == written


def test_downsample_needs_two_points(store: SqlStore, run: RunRecord) -> None:
    write(store, run.id, "loss", points(range(10)))
    with pytest.raises(InvalidParameterError):
        store.metric_downsampled(run.id, "loss", 1)
