"""Experiments: created on first use, looked up by id or name, archived."""

from __future__ import annotations

import pytest

from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.store import SqlStore


def test_get_or_create_is_idempotent(store: SqlStore) -> None:
    first = store.get_or_create_experiment("mnist")
    again = store.get_or_create_experiment("mnist")

    assert again == first
    assert first.name == "mnist" and not first.archived
    assert [e.name for e in store.list_experiments()] == ["mnist"]


def test_lookup_by_id_and_by_name(store: SqlStore) -> None:
    mnist = store.get_or_create_experiment("mnist")
    cifar = store.get_or_create_experiment("cifar")

    assert store.get_experiment(mnist.id) == mnist
    assert store.get_experiment(str(cifar.id)) == cifar
    assert store.get_experiment("cifar") == cifar
    assert store.find_experiment("mnist") == mnist
    assert store.find_experiment("nope") is None


def test_list_counts_runs(store: SqlStore) -> None:
    mnist = store.get_or_create_experiment("mnist")
    cifar = store.get_or_create_experiment("cifar")
    for _ in range(3):
        store.create_run(mnist.id, kind="script")

    counts = {e.name: e.run_count for e in store.list_experiments()}
    assert counts == {"mnist": 3, "cifar": 0}
    assert [e.id for e in store.list_experiments()] == [mnist.id, cifar.id]


def test_archive_hides_the_experiment_and_frees_its_name(store: SqlStore) -> None:
    old = store.get_or_create_experiment("mnist")
    old_run = store.create_run(old.id, kind="script")

    archived = store.archive_experiment("mnist")

    assert archived.id == old.id and archived.archived
    assert store.find_experiment("mnist") is None
    assert store.list_experiments() == []
    assert [(e.id, e.archived) for e in store.list_experiments(include_archived=True)] == [
        (old.id, True)
    ]
    with pytest.raises(ResourceNotFoundError):
        store.get_experiment("mnist")
    # The name is free again: a new, separate experiment with new run numbers.
    new = store.get_or_create_experiment("mnist")
    assert new.id != old.id and not new.archived
    assert store.create_run(new.id, kind="script").number == 1
    # The archived one keeps its runs and is still reachable by id.
    assert store.get_experiment(old.id).archived
    runs, _ = store.list_runs(old.id)
    assert [r.id for r in runs] == [old_run.id]


def test_unknown_experiment_is_not_found(store: SqlStore) -> None:
    store.get_or_create_experiment("mnist")
    for ref in (987654, "987654", "nope"):
        with pytest.raises(ResourceNotFoundError):
            store.get_experiment(ref)
    with pytest.raises(ResourceNotFoundError):
        store.archive_experiment("nope")


def test_lookup_by_a_non_ascii_digit_string_is_not_found(store: SqlStore) -> None:
    # "²".isdigit() is True but int("²") fails: a typed error, not a bare ValueError.
    with pytest.raises(ResourceNotFoundError):
        store.get_experiment("²")


@pytest.mark.parametrize("name", ["", " lead", "a/../b", "x" * 251, "tab\there", "line\n"])
def test_invalid_names_are_rejected(store: SqlStore, name: str) -> None:
    with pytest.raises(InvalidParameterError):
        store.get_or_create_experiment(name)
    assert store.list_experiments(include_archived=True) == []
