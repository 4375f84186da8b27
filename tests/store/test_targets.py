"""Compute target rows: definition (config) and last known state."""

from __future__ import annotations

import pytest

from jupyter_mlws.exceptions import ResourceAlreadyExistsError, ResourceNotFoundError
from jupyter_mlws.store import SqlStore


def test_add_get_list(store: SqlStore) -> None:
    dask = store.add_target("dask-cpu", "dask", {"min_nodes": 0, "max_nodes": 4})
    store.add_target("attached", "dask", {"address": "tcp://10.0.0.1:8786"})

    assert dask["name"] == "dask-cpu" and dask["type"] == "dask"
    assert dask["config"] == {"min_nodes": 0, "max_nodes": 4}
    assert dask["state"] == {}
    assert store.get_target("dask-cpu") == dask
    assert [row["name"] for row in store.list_targets()] == ["attached", "dask-cpu"]


def test_names_are_unique(store: SqlStore) -> None:
    store.add_target("gpu", "dask", {"max_nodes": 1})
    with pytest.raises(ResourceAlreadyExistsError):
        store.add_target("gpu", "dask", {"max_nodes": 8})
    assert store.get_target("gpu")["config"] == {"max_nodes": 1}


def test_update_config_and_state(store: SqlStore) -> None:
    store.add_target("gpu", "dask", {"max_nodes": 1})
    store.update_target("gpu", state={"scheduler": "tcp://127.0.0.1:1234", "pid": 42})
    store.update_target("gpu", config={"max_nodes": 2})

    row = store.get_target("gpu")
    assert row["config"] == {"max_nodes": 2}
    assert row["state"] == {"scheduler": "tcp://127.0.0.1:1234", "pid": 42}
    assert row["updated_ms"] >= row["created_ms"]


def test_delete(store: SqlStore) -> None:
    store.add_target("gpu", "dask", {})
    store.delete_target("gpu")
    assert store.list_targets() == []
    with pytest.raises(ResourceNotFoundError):
        store.get_target("gpu")
    store.add_target("gpu", "dask", {"again": True})  # the name is free again
    assert store.get_target("gpu")["config"] == {"again": True}


def test_unknown_target_is_not_found(store: SqlStore) -> None:
    with pytest.raises(ResourceNotFoundError):
        store.get_target("nope")
    with pytest.raises(ResourceNotFoundError):
        store.update_target("nope", state={})
    with pytest.raises(ResourceNotFoundError):
        store.delete_target("nope")
