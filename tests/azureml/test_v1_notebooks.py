"""Acceptance: notebooks written as the official v1 samples are, run on real kernels with
only ``import jupyter_mlws.azureml`` added (real runs, endpoints, HTTP and Dask)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from azureml_helpers import outputs_text
from helpers import gone, wait_until

from jupyter_mlws import Workspace
from jupyter_mlws.compute.dask_cluster import stop_cluster

NOTEBOOKS = Path(__file__).parent / "notebooks"
pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[object]:
    """A copy of a sample's folder; whatever the notebook left running is stopped after."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(NOTEBOOKS / name, target)
        return target / f"{name}.ipynb"

    yield copy
    ws = Workspace.current()
    for endpoint in ws.endpoints():
        ws.endpoint(endpoint.name).delete()
    for target in ws.store.list_targets():
        pid = int(target["state"].get("pid") or 0)
        stop_cluster(ws, target["name"], timeout=30)
        if pid:
            wait_until(lambda pid=pid: gone(pid), timeout=30)


def test_logging_api(sample, run_notebook) -> None:  # type: ignore[no-untyped-def]
    nb = run_notebook(sample("logging-api"))
    text = outputs_text(nb)
    assert "SDK version: 1.62.0+mlws" in text
    assert "Workspace name:" in text and "Azure region: local" in text
    (run,) = Workspace.current().experiment("logging-api-test").get_runs()
    assert run.get_metrics()["example metric"] == 1.23
    assert "images/Hyperbolic Tangent/1.png" in run.get_file_names()


def test_manage_runs(sample, run_notebook) -> None:  # type: ignore[no-untyped-def]
    nb = run_notebook(sample("manage-runs"))
    text = outputs_text(nb)
    assert "All children are done." in text
    assert "properties are immutable: ImmutableValueError" in text


def test_train_on_local(sample, run_notebook) -> None:  # type: ignore[no-untyped-def]
    nb = run_notebook(sample("train-on-local"))
    assert "alpha 0.4: mse" in outputs_text(nb)
    assert Workspace.current().model("ridge").run_id is not None


def test_train_within_notebook_and_deploy_to_local(sample, run_notebook) -> None:  # type: ignore[no-untyped-def]
    nb = run_notebook(sample("train-within-notebook"))
    text = outputs_text(nb)
    assert "Local service port:" in text and "Healthy" in text
    assert Workspace.current().endpoints() == []  # the notebook deleted its service


def test_mnist_train_on_a_cluster_and_deploy(sample, run_notebook) -> None:  # type: ignore[no-untyped-def]
    nb = run_notebook(sample("mnist"))
    text = outputs_text(nb)
    assert "creating new compute target..." in text
    assert "Accuracy:" in text
    ws = Workspace.current()
    assert ws.model("sklearn_mnist").run_id is not None
    assert ws.store.list_targets() == []  # compute_target.delete() at the end
