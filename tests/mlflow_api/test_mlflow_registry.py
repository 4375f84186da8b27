"""The unmodified ``mlflow`` client's Model Registry calls, experiment tags and run
deletion against a real Jupyter server: one registry (a version registered through
MLflow is a version of ``ws.model_registry`` and the other way round)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlws.workspace import Workspace


def _load_live_server() -> Any:
    """tests/server's live_server helper (test folders are not one package)."""
    path = Path(__file__).parents[1] / "server" / "live_server.py"
    spec = importlib.util.spec_from_file_location("mlws_test_live_server", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


_live = _load_live_server()
LiveServer = _live.LiveServer
live_server = _live.live_server

mlflow = pytest.importorskip("mlflow")
from mlflow import MlflowClient  # noqa: E402
from mlflow.entities import ViewType  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::UserWarning")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Workspace]]:
    base = tmp_path_factory.mktemp("mlflow-registry")
    ws = Workspace.init(base / "ws")
    with live_server(ws.root, base, base_url="/base/") as server:
        yield server, ws


@pytest.fixture
def client(
    served: tuple[LiveServer, Workspace], monkeypatch: pytest.MonkeyPatch
) -> Iterator[MlflowClient]:
    server, _ = served
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", server.token)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    uri = f"{server.url}/mlws/mlflow"
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    yield MlflowClient(uri, registry_uri=uri)
    while mlflow.active_run() is not None:
        mlflow.end_run()


@pytest.fixture
def ws(served: tuple[LiveServer, Workspace]) -> Workspace:
    return Workspace.open(served[1].root)


def _model_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "MLmodel").write_text("artifact_path: model\nflavors: {}\n")
    (folder / "weights.bin").write_bytes(b"\x00\x01" * 500)
    return folder


def test_register_alias_stage_and_download(
    client: MlflowClient, ws: Workspace, tmp_path: Path
) -> None:
    mlflow.set_experiment("registry")
    with mlflow.start_run() as active:
        mlflow.log_artifacts(str(_model_folder(tmp_path)), artifact_path="model")
    run_id = active.info.run_id

    first = mlflow.register_model(f"runs:/{run_id}/model", "clf")
    second = mlflow.register_model(f"runs:/{run_id}/model", "clf")  # the model exists: v2
    assert (first.version, second.version) == ("1", "2")
    assert first.run_id == run_id and first.status == "READY"

    ours = ws.model("clf:1")  # the same registry, lineage and files included
    assert ours.run_id == run_id
    assert sorted(f.path for f in ws.model_registry.files(ours)) == [
        "model/MLmodel",
        "model/weights.bin",
    ]

    client.set_registered_model_alias("clf", "champion", "1")
    assert client.get_model_version_by_alias("clf", "champion").version == "1"
    assert ws.model("clf@champion").version == 1
    model = client.get_registered_model("clf")
    assert model.aliases == {"champion": "1"}
    assert [v.version for v in model.latest_versions] == ["2"]

    client.transition_model_version_stage("clf", "1", "Production")
    assert [v.version for v in client.get_latest_versions("clf", ["Production"])] == ["1"]
    client.update_model_version("clf", "2", description="second")
    client.set_model_version_tag("clf", "2", "quality", "good")
    assert ws.model("clf:2").tags == {"quality": "good"}
    assert ws.model("clf:2").description == "second"
    found = client.search_model_versions("name = 'clf' and tags.quality = 'good'")
    assert [v.version for v in found] == ["2"]
    assert {v.version for v in client.search_model_versions(f"run_id = '{run_id}'")} == {
        "1",
        "2",
    }

    for uri in ("models:/clf/1", "models:/clf@champion", "models:/clf/Production"):
        out = Path(mlflow.artifacts.download_artifacts(uri, dst_path=str(tmp_path / uri[-4:])))
        assert (out / "weights.bin").read_bytes() == b"\x00\x01" * 500
        assert (out / "MLmodel").exists()

    client.delete_registered_model_alias("clf", "champion")
    with pytest.raises(MlflowException) as gone:
        client.get_model_version_by_alias("clf", "champion")
    assert gone.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_native_versions_are_mlflow_versions(
    client: MlflowClient, ws: Workspace, tmp_path: Path
) -> None:
    ws.register_model("native", _model_folder(tmp_path), tags={"k": "v"})
    version = client.get_model_version("native", "1")
    assert version.tags == {"k": "v"}
    out = Path(
        mlflow.artifacts.download_artifacts("models:/native/1", dst_path=str(tmp_path / "o"))
    )
    assert (out / "MLmodel").exists()


def test_registered_model_crud_tags_and_errors(client: MlflowClient, ws: Workspace) -> None:
    client.create_registered_model("crud", tags={"team": "a"}, description="d")
    with pytest.raises(MlflowException) as dup:
        client.create_registered_model("crud")
    assert dup.value.error_code == "RESOURCE_ALREADY_EXISTS"
    client.set_registered_model_tag("crud", "owner", "me")
    client.delete_registered_model_tag("crud", "team")
    client.update_registered_model("crud", description="new")
    got = client.get_registered_model("crud")
    assert (got.tags, got.description) == ({"owner": "me"}, "new")
    client.rename_registered_model("crud", "crud2")
    names = [m.name for m in client.search_registered_models("name LIKE 'crud%'")]
    assert names == ["crud2"]
    assert [m.name for m in client.search_registered_models("tags.owner = 'me'")] == ["crud2"]
    client.delete_registered_model("crud2")
    with pytest.raises(MlflowException) as missing:
        client.get_registered_model("crud2")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as no_model:
        client.get_model_version("nothing", "1")
    assert no_model.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as bad_version:
        client.get_model_version("clf", "x")
    assert bad_version.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as bad_filter:
        client.search_registered_models("nonsense ~ 1")
    assert bad_filter.value.error_code == "INVALID_PARAMETER_VALUE"
    client.create_registered_model("empty")
    with pytest.raises(MlflowException) as bad_source:
        client.create_model_version("empty", "s3://bucket/model")
    assert bad_source.value.error_code == "INVALID_PARAMETER_VALUE"


def test_experiment_tags_and_run_delete_restore(client: MlflowClient, ws: Workspace) -> None:
    exp_id = client.create_experiment("lifecycle", tags={"project": "x"})
    client.set_experiment_tag(exp_id, "stage", "dev")
    assert client.get_experiment(exp_id).tags == {"project": "x", "stage": "dev"}
    found = client.search_experiments(filter_string="tags.stage = 'dev'")
    assert [e.experiment_id for e in found] == [exp_id]
    client.delete_experiment_tag(exp_id, "stage")
    assert client.get_experiment(exp_id).tags == {"project": "x"}

    kept, dropped = (client.create_run(exp_id).info.run_id for _ in range(2))
    client.delete_run(dropped)
    assert client.get_run(dropped).info.lifecycle_stage == "deleted"
    assert [r.info.run_id for r in client.search_runs([exp_id])] == [kept]
    deleted = client.search_runs([exp_id], run_view_type=ViewType.DELETED_ONLY)
    assert [r.info.run_id for r in deleted] == [dropped]
    assert len(client.search_runs([exp_id], run_view_type=ViewType.ALL)) == 2
    assert ws.get_run(dropped).id == dropped  # the workspace keeps the run
    client.restore_run(dropped)
    assert client.get_run(dropped).info.lifecycle_stage == "active"
    assert len(client.search_runs([exp_id])) == 2
