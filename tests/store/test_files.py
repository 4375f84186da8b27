"""File manifests in the store: a run's artifacts and snapshot rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jupyter_mlws.entities import Experiment, FileEntry, RunRecord
from jupyter_mlws.exceptions import MlwsError, ResourceNotFoundError
from jupyter_mlws.store import SqlStore
from jupyter_mlws.store import schema as t


def entry(path: str, digest_char: str = "a", size: int = 10, mode: int = 0o644) -> FileEntry:
    return FileEntry(path=path, digest=digest_char * 64, size=size, mode=mode)


def test_artifacts_are_listed_by_path(store: SqlStore, run: RunRecord) -> None:
    files = [entry("outputs/model.pkl", "b", 2_000_000_000_000), entry("outputs/a.txt")]
    files.append(entry("logs/run.sh", "c", 5, 0o755))
    store.add_artifacts(run.id, files)

    assert store.list_artifacts(run.id) == sorted(files, key=lambda e: e.path)
    assert [e.path for e in store.list_artifacts(run.id, "outputs/")] == [
        "outputs/a.txt",
        "outputs/model.pkl",
    ]
    assert store.list_artifacts(run.id, "nothing/") == []


def test_rewriting_a_path_points_at_the_new_content(store: SqlStore, run: RunRecord) -> None:
    store.add_artifacts(run.id, [entry("outputs/model.pkl", "a"), entry("outputs/x", "a")])
    store.add_artifacts(run.id, [entry("outputs/model.pkl", "f", size=99)])
    store.add_artifacts(run.id, [])

    assert store.list_artifacts(run.id) == [
        entry("outputs/model.pkl", "f", size=99),
        entry("outputs/x", "a"),
    ]


def test_prefix_is_literal(store: SqlStore, run: RunRecord) -> None:
    store.add_artifacts(
        run.id, [entry("a_b/1"), entry("axb/2"), entry("50%/3"), entry("500/4"), entry("A_b/5")]
    )
    assert [e.path for e in store.list_artifacts(run.id, "a_b/")] == ["a_b/1"]
    assert [e.path for e in store.list_artifacts(run.id, "50%")] == ["50%/3"]


def test_artifacts_belong_to_their_run(store: SqlStore, run: RunRecord) -> None:
    other = store.create_run(run.experiment_id, kind="script")
    store.add_artifacts(run.id, [entry("outputs/a")])
    assert store.list_artifacts(other.id) == []
    with pytest.raises(ResourceNotFoundError):
        store.add_artifacts("0" * 32, [entry("outputs/a")])
    with pytest.raises(ResourceNotFoundError):
        store.list_artifacts("0" * 32)


def snapshot_rows(store: SqlStore) -> list[tuple[str, int, int]]:
    c = t.snapshots.c
    with store.read() as conn:
        rows = conn.execute(select(c.id, c.file_count, c.total_bytes).order_by(c.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_snapshot_rows_are_written_once(store: SqlStore, experiment: Experiment) -> None:
    digest = "d" * 64
    store.add_snapshot(digest, 3, 1_234)
    store.add_snapshot(digest, 3, 1_234)  # the same content snapshotted by another run

    assert snapshot_rows(store) == [(digest, 3, 1_234)]
    run = store.create_run(experiment.id, kind="script", snapshot_id=digest)
    assert store.get_run(run.id).snapshot_id == digest


def test_run_with_an_unknown_snapshot_is_refused(store: SqlStore, experiment: Experiment) -> None:
    """Both databases answer alike: a typed error, and no half-created run."""
    with pytest.raises(MlwsError, match="snapshot"):
        store.create_run(experiment.id, kind="script", snapshot_id="e" * 64)
    assert store.list_runs(experiment.id)[0] == []
