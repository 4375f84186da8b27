"""The registry and endpoint tables on both databases (SQLite file and PostgreSQL)."""

from __future__ import annotations

import pytest

from jupyter_mlws.entities import EndpointMetricWindow, EndpointState, FileEntry
from jupyter_mlws.exceptions import (
    ResourceAlreadyExistsError,
    ResourceConflictError,
    ResourceNotFoundError,
)
from jupyter_mlws.store import SqlStore

FILES = [FileEntry("m/a.bin", "a" * 64, 3, 0o644), FileEntry("m/b.bin", "b" * 64, 4, 0o600)]


def test_versions_search_and_aliases(store: SqlStore) -> None:
    for stage in ("dev", "prod"):
        store.create_model_version("m", root="m", files=FILES, tags={"stage": stage})
    store.create_model_version("n", root="m", files=FILES[:1], properties={"auc": "0.7"})
    assert [v.ref for v in store.list_model_versions(latest_only=True)] == ["m:2", "n:1"]
    assert [v.ref for v in store.list_model_versions(tags={"stage": "dev"})] == ["m:1"]
    assert [v.ref for v in store.list_model_versions(properties={"auc": None})] == ["n:1"]
    assert store.list_model_files("m", 1) == FILES
    assert store.get_model_version("m").total_bytes == 7
    store.set_model_alias("m", "production", 1)
    assert store.get_model_version("m", alias="production").version == 1
    store.set_model_alias("m", "production", 2)
    assert store.get_model_version("m", 2).aliases == ("production",)
    assert store.get_model_version("m", 1).aliases == ()


def test_endpoints_keys_metrics_and_the_deletion_guard(store: SqlStore) -> None:
    store.create_model_version("m", root="m", files=FILES)
    store.create_endpoint(
        "ep",
        bind="127.0.0.1",
        port=None,
        workers=2,
        auth="key",
        config={"a": 1},
        models=[("m", 1)],
    )
    with pytest.raises(ResourceAlreadyExistsError):
        store.create_endpoint(
            "ep", bind="127.0.0.1", port=None, workers=1, auth="key", config={}, models=[]
        )
    record = store.update_endpoint("ep", state=EndpointState.HEALTHY, port=8123, pid=42)
    assert (record.state, record.port, record.models) == (EndpointState.HEALTHY, 8123, ("m:1",))
    assert record.scoring_uri == "http://127.0.0.1:8123/score"
    with pytest.raises(ResourceConflictError):
        store.delete_model_version("m", 1)
    store.set_endpoint_key_hash("ep", "primary", "f" * 64)
    store.set_endpoint_key_hash("ep", "primary", "e" * 64)
    assert store.endpoint_key_hashes("ep") == {"primary": "e" * 64}
    window = EndpointMetricWindow(1, 7, 1000, 2000, 10, 1, 2, 12.5, {5: 8, 9: 2})
    store.add_endpoint_metrics("ep", [window])
    assert store.list_endpoint_metrics("ep") == [window]
    assert store.list_endpoint_metrics("ep", since_ms=3000) == []
    store.delete_endpoint("ep")
    with pytest.raises(ResourceNotFoundError):
        store.get_endpoint("ep")
    store.delete_model_version("m", 1)
    with pytest.raises(ResourceNotFoundError):
        store.get_model_version("m")
