"""The change feed names what changed: runs (record or metrics) and whole lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlws.entities import Change, ChangeKind, RunStatus
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.services.changes import changes_since
from jupyter_mlws.store import SqlStore
from jupyter_mlws.workspace import Workspace


def _kinds(feed_changes: list[Change]) -> set[tuple[ChangeKind, str | None]]:
    return {(c.kind, c.run_id) for c in feed_changes}


def test_store_reports_moved_runs_pointed_runs_and_list_fingerprints(store: SqlStore) -> None:
    exp = store.get_or_create_experiment("exp")
    before = store.list_fingerprints()
    record = store.create_run(exp.id, kind="interactive", status=RunStatus.RUNNING)
    changed = store.changed_runs(record.created_ms - 1)
    assert (ChangeKind.RUN, record.id) in _kinds(changed)
    after = store.list_fingerprints()
    assert after[ChangeKind.EXPERIMENTS] != before[ChangeKind.EXPERIMENTS]  # a new run counts
    assert after[ChangeKind.TARGETS] != before[ChangeKind.TARGETS]  # an active run on a target
    assert after[ChangeKind.MODELS] == before[ChangeKind.MODELS]
    assert after[ChangeKind.ENDPOINTS] == before[ChangeKind.ENDPOINTS]
    store.log_metrics(record.id, [("loss", 1.0, 0, 5), ("loss", 0.5, 1, 6)])
    pointed = [c for c in store.changed_runs(10**15) if c.kind is ChangeKind.METRICS]
    assert [(c.run_id, c.version) for c in pointed] == [(record.id, 2)]  # points, any stamp
    assert store.changed_runs(10**15) == pointed  # nothing else moved "after the future"


def test_feed_is_empty_when_nothing_changed_and_names_each_change(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    start = changes_since(ws)
    assert start.changes == []
    assert changes_since(ws, start.cursor).changes == []
    run = ws.experiment("exp").start_logging()
    created = changes_since(ws, start.cursor)
    assert {(ChangeKind.RUN, run.id), (ChangeKind.EXPERIMENTS, None)} <= _kinds(created.changes)
    ws.store.log_metrics(run.id, [("loss", 1.0, 0, 1)])
    pointed = changes_since(ws, created.cursor)
    assert (ChangeKind.METRICS, run.id) in _kinds(pointed.changes)
    assert (ChangeKind.EXPERIMENTS, None) not in _kinds(pointed.changes)
    weights = tmp_path / "m.pkl"
    weights.write_bytes(b"w")
    ws.register_model("clf", weights)
    registered = changes_since(ws, pointed.cursor)
    assert (ChangeKind.MODELS, None) in _kinds(registered.changes)
    assert (ChangeKind.ENDPOINTS, None) not in _kinds(registered.changes)
    # A cursor from a server with other lists still works: what it lacks reads as changed.
    short = changes_since(ws, "c1.12")
    assert {(kind, None) for kind in (ChangeKind.EXPERIMENTS, ChangeKind.MODELS)} <= _kinds(
        short.changes
    )
    for bad in ("c2.1.2", "c1", "c1.x", "c1.\u00b2"):
        with pytest.raises(InvalidParameterError):
            changes_since(ws, bad)
