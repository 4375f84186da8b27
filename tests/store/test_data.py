"""The data tables on SQLite and PostgreSQL: secrets, datastores, dataset versions
(same data → same version), profiles once per version, and run lineage."""

from __future__ import annotations

import pytest

from jupyter_mlws.entities import DatasetFile, Experiment, FileEntry, RunRecord
from jupyter_mlws.exceptions import (
    ResourceAlreadyExistsError,
    ResourceConflictError,
    ResourceNotFoundError,
)
from jupyter_mlws.store import SqlStore

FILES = [DatasetFile("a.csv", 10, "etag-a"), DatasetFile("b.csv", 20, "etag-b")]


def add(store: SqlStore, fingerprint: str, **kw: object) -> tuple[int, bool]:
    options: dict[str, object] = {
        "kind": "file",
        "datastore": "lake",
        "pattern": "t/*.csv",
        "reader": {},
        "fingerprint": fingerprint,
        "files": FILES,
    }
    options.update(kw)
    version, new = store.add_dataset_version("train", **options)  # type: ignore[arg-type]
    return version.version, new


def test_secrets_keep_bytes_and_list_names_only(store: SqlStore) -> None:
    store.put_secret("k", b"token-1")
    store.put_secret("k", b"token-2")
    assert store.get_secret_ciphertext("k") == b"token-2"
    assert [s["name"] for s in store.list_secrets()] == ["k"]
    store.delete_secret("k")
    with pytest.raises(ResourceNotFoundError):
        store.get_secret_ciphertext("k")


def test_dataset_versions_dedupe_and_refuse(store: SqlStore) -> None:
    store.create_datastore("lake", "s3://b", {"key": {"secret": "s"}})
    assert add(store, "f1") == (1, True)
    assert add(store, "f1") == (1, False)
    assert add(store, "f2") == (2, True)
    with pytest.raises(ResourceAlreadyExistsError):
        add(store, "f3", create_new_version=False)
    with pytest.raises(ResourceConflictError, match="file dataset"):
        add(store, "f4", kind="tabular")
    assert [v.version for v in store.list_dataset_versions("train")] == [2, 1]
    assert store.dataset_files("train", 1) == FILES
    store.set_dataset_profile("train", 2, {"rows": 3})
    store.set_dataset_profile("train", 2, {"rows": 99})  # immutable once stored
    assert store.dataset_profile("train", 2) == {"rows": 3}
    with pytest.raises(ResourceConflictError, match="referenced by 2"):
        store.delete_datastore("lake")


def test_lineage_from_dataset_through_run_to_model(
    store: SqlStore, experiment: Experiment, run: RunRecord
) -> None:
    add(store, "f1")
    store.link_run_dataset(run.id, "train", 1, direction="input", name="train", changed=True)
    model = store.create_model_version(
        "clf", root="m", files=[FileEntry("m", "0" * 64, 1)], run_id=run.id
    )
    assert model.datasets == ("train:1",)
    lineage = store.dataset_lineage("train", 1)
    assert lineage["read_by"] == [run.id] and lineage["changed_in"] == [run.id]
    assert lineage["models"] == [{"model": "clf:1", "run_id": run.id}]
    assert [x.ref for x in store.run_datasets(run.id)] == ["train:1"]
    store.create_endpoint(
        "api", bind="127.0.0.1", port=None, workers=1, auth="key", config={},
        models=[("clf", 1)],
    )  # fmt: skip
    assert store.dataset_lineage("train", 1)["endpoints"] == [{"endpoint": "api", "model": "clf:1"}]
