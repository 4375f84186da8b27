"""Store pieces the MLflow API stands on: rename and restore of experiments, and a
search page's latest metrics and documents read for many runs at once."""

from __future__ import annotations

import pytest

from jupyter_mlws.entities import Experiment, RunRecord
from jupyter_mlws.exceptions import ResourceAlreadyExistsError
from jupyter_mlws.store import SqlStore


def test_rename_and_restore_experiment(store: SqlStore, experiment: Experiment) -> None:
    other = store.get_or_create_experiment("other")
    with pytest.raises(ResourceAlreadyExistsError):
        store.rename_experiment(experiment.id, "other")
    assert store.rename_experiment(experiment.id, "renamed").name == "renamed"
    store.archive_experiment(other.id)
    assert store.restore_experiment(other.id).archived is False
    store.archive_experiment(other.id)
    store.get_or_create_experiment("other")  # the name is taken again meanwhile
    with pytest.raises(ResourceAlreadyExistsError):
        store.restore_experiment(other.id)


def test_latest_metrics_and_values_of_many_runs(
    store: SqlStore, experiment: Experiment, run: RunRecord
) -> None:
    second = store.create_run(experiment.id, kind="mlflow")
    store.log_metrics(run.id, [("loss", 1.0, 0, 10), ("loss", 0.5, 1, 20), ("acc", 0.9, 1, 20)])
    store.log_metrics(second.id, [("loss", 2.0, 3, 30)])
    store.add_value(run.id, "doc", "mlflow_dataset", {"name": "a"})
    store.add_value(run.id, "doc", "mlflow_dataset", {"name": "b"})
    latest = store.latest_metrics_of([run.id, second.id])
    assert latest[run.id] == store.latest_metrics(run.id)
    assert [(m.key, m.value, m.step, m.timestamp) for m in latest[second.id]] == [
        ("loss", 2.0, 3, 30)
    ]
    assert store.values_of([run.id, second.id], "doc") == {
        run.id: [{"name": "a"}, {"name": "b"}],
        second.id: [],
    }
