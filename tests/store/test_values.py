"""Non-scalar run values (log_list, log_row, log_table, log_image references)."""

from __future__ import annotations

import math

import pytest

from jupyter_mlws.entities import RunRecord
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.store import SqlStore


def test_values_round_trip_in_order(store: SqlStore, run: RunRecord) -> None:
    store.add_value(run.id, "confusion", "table", {"pred": [0, 1], "true": [1, 1]})
    store.add_value(run.id, "losses", "list", [0.5, 0.25, None])
    store.add_value(run.id, "confusion", "table", {"pred": [1, 1], "true": [1, 1]})
    store.add_value(run.id, "note", "string", "héllo ✓")

    values = store.list_values(run.id)
    assert [(v.key, v.seq, v.kind) for v in values] == [
        ("confusion", 1, "table"),
        ("confusion", 2, "table"),
        ("losses", 1, "list"),
        ("note", 1, "string"),
    ]
    assert values[0].value == {"pred": [0, 1], "true": [1, 1]}
    assert values[1].value == {"pred": [1, 1], "true": [1, 1]}
    assert values[2].value == [0.5, 0.25, None]
    assert values[3].value == "héllo ✓"
    assert all(v.timestamp > 0 for v in values)
    assert [v.seq for v in store.list_values(run.id, "confusion")] == [1, 2]
    assert store.list_values(run.id, "missing") == []


def test_non_finite_numbers_in_values(store: SqlStore, run: RunRecord) -> None:
    store.add_value(run.id, "row", "row", {"a": float("nan"), "b": float("-inf")})
    (value,) = store.list_values(run.id)
    assert math.isnan(value.value["a"]) and value.value["b"] == float("-inf")


def test_values_belong_to_their_run(store: SqlStore, run: RunRecord) -> None:
    other = store.create_run(run.experiment_id, kind="script")
    store.add_value(run.id, "k", "string", "mine")
    store.add_value(other.id, "k", "string", "theirs")
    assert [(v.seq, v.value) for v in store.list_values(other.id)] == [(1, "theirs")]


def test_bad_key_or_run(store: SqlStore, run: RunRecord) -> None:
    with pytest.raises(InvalidParameterError):
        store.add_value(run.id, "", "string", "x")
    with pytest.raises(ResourceNotFoundError):
        store.add_value("0" * 32, "k", "string", "x")
    with pytest.raises(ResourceNotFoundError):
        store.list_values("0" * 32)
