"""AmlCompute as a managed Dask target, and v1 features not mapped yet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import gone, wait_until

from jupyter_mlws import Workspace as NativeWorkspace
from jupyter_mlws.compute.dask_cluster import stop_cluster
from jupyter_mlws.compute.dask_target import close_clients

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def clusters() -> Iterator[None]:
    yield
    close_clients()
    ws = NativeWorkspace.current()
    for target in ws.store.list_targets():
        pid = int(target["state"].get("pid") or 0)
        stop_cluster(ws, target["name"], timeout=30)
        if pid:
            wait_until(lambda pid=pid: gone(pid), timeout=30)


def test_amlcompute_is_a_managed_dask_cluster_that_runs_scripts(
    v1: object, clusters: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from azureml.core import Experiment, ScriptRunConfig, Workspace
    from azureml.core.compute import AmlCompute, ComputeTarget
    from azureml.core.compute_target import ComputeTargetException

    ws = Workspace.from_config()
    with pytest.raises(ComputeTargetException, match="unknown compute target 'cpu-cluster'"):
        ComputeTarget(workspace=ws, name="cpu-cluster")
    config = AmlCompute.provisioning_configuration(vm_size="STANDARD_D2_V2", max_nodes=2)
    target = ComputeTarget.create(ws, "cpu-cluster", config)
    target.wait_for_completion(show_output=True, min_node_count=None, timeout_in_minutes=5)
    said = capsys.readouterr()
    assert "Succeeded" in said.out
    assert "vm_size='STANDARD_D2_V2' is recorded, not enforced" in said.err

    found = ComputeTarget(workspace=ws, name="cpu-cluster")
    assert isinstance(found, AmlCompute) and found.vm_size == "STANDARD_D2_V2"
    assert found.scale_settings == {"minNodeCount": 0, "maxNodeCount": 2}
    assert set(ws.compute_targets) == {"cpu-cluster"}
    assert found.get_status().serialize()["provisioningState"] == "Succeeded"

    src = tmp_path / "src"
    src.mkdir()
    (src / "hello.py").write_text(
        "from azureml.core import Run\nRun.get_context().log('where', 1)\n"
    )
    run = Experiment(ws, "on-cluster").submit(
        ScriptRunConfig(source_directory=str(src), script="hello.py", compute_target=found)
    )
    run.wait_for_completion(show_output=False)
    assert run.get_details()["target"] == "cpu-cluster"
    assert run.get_metrics() == {"where": 1}


def test_vm_size_is_said_once(
    v1: object, clusters: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from azureml.core import Workspace
    from azureml.core.compute import AmlCompute, ComputeTarget

    ws = Workspace.from_config()
    for name in ("a", "b"):
        ComputeTarget.create(ws, name, AmlCompute.provisioning_configuration(vm_size="NC6"))
        ComputeTarget(ws, name).stop()
    assert capsys.readouterr().err.count("vm_size='NC6' is recorded, not enforced") == 1


def test_unmapped_v1_features_import_and_say_what_is_missing(v1: object) -> None:
    from azureml.core import Dataset, Datastore, Environment, Workspace
    from azureml.exceptions import NotAvailableError
    from azureml.pipeline.core import PipelineDraft

    ws = Workspace.from_config()
    with pytest.raises(NotAvailableError, match="not available yet in jupyter-mlws: datasets"):
        Dataset.Tabular.from_json_lines_files(path="data.jsonl")
    with pytest.raises(NotAvailableError, match="pipeline drafts"):
        PipelineDraft()
    with pytest.raises(NotAvailableError, match="there is no conda here"):
        Environment.from_existing_conda_environment("env", "base")
    with pytest.raises(NotAvailableError, match="datastores: Azure file shares"):
        Datastore.register_azure_file_share(ws, "share", "files", "account")
