"""Fixtures of the store contract tests; ``store`` itself comes from ``tests/conftest.py``
and is parametrized over SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from jupyter_mlws.entities import Experiment, RunRecord
from jupyter_mlws.store import SqlStore


@pytest.fixture
def experiment(store: SqlStore) -> Experiment:
    return store.get_or_create_experiment("mnist")


@pytest.fixture
def run(store: SqlStore, experiment: Experiment) -> RunRecord:
    return store.create_run(experiment.id, kind="script")
