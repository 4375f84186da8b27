"""The unmodified ``mlflow`` client against a real Jupyter server with the extension.

One server (under a base_url, as behind JupyterHub) for the module; each test logs in
its own experiment. What the client logs is read back both through MLflow and through
our own SDK: one system, not two.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlws.entities import RunStatus
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
from mlflow.entities import Metric, Param, RunTag  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::UserWarning")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Workspace]]:
    base = tmp_path_factory.mktemp("mlflow-server")
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
    yield MlflowClient(uri)
    while mlflow.active_run() is not None:
        mlflow.end_run()


@pytest.fixture
def ws(served: tuple[LiveServer, Workspace]) -> Workspace:
    return Workspace.open(served[1].root)


def _raw(
    server: LiveServer, method: str, path: str, body: Any = None, token: bool = True
) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {server.token}"
    request = urllib.request.Request(
        f"{server.url}/mlws/mlflow{path}", data=data, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as exc:
        with exc:
            text = exc.read()
        try:
            return exc.code, json.loads(text)
        except ValueError:
            return exc.code, text


def test_fluent_run_is_a_workspace_run(client: MlflowClient, ws: Workspace) -> None:
    mlflow.set_experiment("fluent")
    with mlflow.start_run(run_name="first") as active:
        mlflow.log_param("lr", 0.01)
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"acc": 0.9, "f1": 0.8})
        mlflow.set_tag("team", "vision")
    run_id = active.info.run_id

    run = client.get_run(run_id)
    assert run.info.status == "FINISHED"
    assert run.info.run_name == "first"
    assert run.data.params == {"lr": "0.01"}
    assert run.data.metrics == {"loss": pytest.approx(0.2), "acc": 0.9, "f1": 0.8}
    assert run.data.tags["team"] == "vision"
    history = client.get_metric_history(run_id, "loss")
    assert [m.step for m in history] == [0, 1, 2, 3, 4]
    assert [m.value for m in history] == pytest.approx([1, 0.5, 1 / 3, 0.25, 0.2])

    ours = ws.get_run(run_id)  # the same id in our SDK
    assert ours.record.status is RunStatus.COMPLETED
    assert ours.experiment.name == "fluent"
    assert ours.display_name == "first"
    assert ours.get_metrics()["loss"] == pytest.approx([1, 0.5, 1 / 3, 0.25, 0.2])
    assert ours.record.params == {"lr": "0.01"}
    assert ours.get_tags()["team"] == "vision"


def test_failing_run_and_nested_runs(client: MlflowClient, ws: Workspace) -> None:
    mlflow.set_experiment("failing")
    with pytest.raises(RuntimeError), mlflow.start_run() as parent:
        with mlflow.start_run(nested=True) as child:
            mlflow.log_metric("x", 1.0)
        raise RuntimeError("boom")
    assert client.get_run(parent.info.run_id).info.status == "FAILED"
    assert ws.get_run(parent.info.run_id).record.status is RunStatus.FAILED
    assert client.get_run(child.info.run_id).data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert ws.get_run(child.info.run_id).record.parent_id == parent.info.run_id
    killed = client.create_run(client.get_experiment_by_name("failing").experiment_id)
    client.set_terminated(killed.info.run_id, "KILLED")
    assert ws.get_run(killed.info.run_id).record.status is RunStatus.CANCELED


def test_search_runs_filter_order_and_pages(client: MlflowClient) -> None:
    exp_id = client.create_experiment("search")
    ids = []
    for i in range(5):
        run = client.create_run(
            exp_id, run_name=f"r{i}", tags={"parity": "even" if i % 2 == 0 else "odd"}
        )
        client.log_batch(
            run.info.run_id,
            metrics=[Metric("m", float(i), 0, 0)],
            params=[Param("i", str(i))],
        )
        ids.append(run.info.run_id)
    found = client.search_runs([exp_id], "metrics.m > 1", order_by=["metrics.m DESC"])
    assert [r.info.run_id for r in found] == [ids[4], ids[3], ids[2]]
    even = client.search_runs(
        [exp_id], "tags.parity = 'even' and params.i != '0'", order_by=["params.i ASC"]
    )
    assert [r.info.run_id for r in even] == [ids[2], ids[4]]
    assert [
        r.info.run_id
        for r in client.search_runs([exp_id], "attributes.run_name LIKE 'r_'", max_results=2)
    ] == [ids[4], ids[3]]

    first = client.search_runs([exp_id], order_by=["metrics.m ASC"], max_results=2)
    second = client.search_runs(
        [exp_id], order_by=["metrics.m ASC"], max_results=2, page_token=first.token
    )
    third = client.search_runs(
        [exp_id], order_by=["metrics.m ASC"], max_results=2, page_token=second.token
    )
    paged = [r.info.run_id for page in (first, second, third) for r in page]
    assert paged == ids and third.token is None

    with pytest.raises(MlflowException) as bad:
        client.search_runs([exp_id], "metrics.m >>> 1")
    assert bad.value.error_code == "INVALID_PARAMETER_VALUE"


def test_log_batch_history_and_param_rules(client: MlflowClient, ws: Workspace) -> None:
    exp_id = client.create_experiment("batch")
    run_id = client.create_run(exp_id).info.run_id
    points = [Metric("loss", 1.0 / (s + 1), 1_700_000_000_000 + s, s) for s in range(1000)]
    client.log_batch(run_id, metrics=points, tags=[RunTag("k", "v")])
    history = client.get_metric_history(run_id, "loss")
    assert len(history) == 1000
    assert history[10].step == 10 and history[10].timestamp == 1_700_000_000_010
    client.log_param(run_id, "p", "1")
    client.log_param(run_id, "p", "1")  # the same value again is fine (retries)
    with pytest.raises(MlflowException) as changed:
        client.log_param(run_id, "p", "2")
    assert changed.value.error_code == "INVALID_PARAMETER_VALUE"
    client.delete_tag(run_id, "k")
    assert "k" not in client.get_run(run_id).data.tags
    client.set_terminated(run_id)
    assert ws.get_run(run_id).get_metric_history("loss")["steps"][:3] == [0, 1, 2]


def test_experiments(client: MlflowClient) -> None:
    assert client.get_experiment_by_name("nope") is None
    exp_id = client.create_experiment("exp-crud")
    with pytest.raises(MlflowException) as dup:
        client.create_experiment("exp-crud")
    assert dup.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert client.get_experiment(exp_id).name == "exp-crud"
    client.rename_experiment(exp_id, "exp-renamed")
    assert client.get_experiment_by_name("exp-renamed").experiment_id == exp_id
    client.delete_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "deleted"
    names = [e.name for e in client.search_experiments()]
    assert "exp-renamed" not in names
    client.restore_experiment(exp_id)
    assert "exp-renamed" in [
        e.name for e in client.search_experiments(filter_string="name LIKE 'exp-%'")
    ]
    with pytest.raises(MlflowException) as missing:
        client.get_experiment("987654")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_artifacts_upload_list_download(
    client: MlflowClient, ws: Workspace, tmp_path: Path
) -> None:
    mlflow.set_experiment("artifacts")
    source = tmp_path / "report.txt"
    source.write_bytes(b"hello artifacts\n" * 1000)
    with mlflow.start_run() as active:
        mlflow.log_artifact(str(source))
        mlflow.log_artifact(str(source), artifact_path="sub/dir")
        mlflow.log_text("some text", "notes/readme.md")
    run_id = active.info.run_id
    top = {f.path: f.is_dir for f in client.list_artifacts(run_id)}
    assert top == {"report.txt": False, "sub": True, "notes": True}
    assert [f.path for f in client.list_artifacts(run_id, "sub/dir")] == ["sub/dir/report.txt"]
    out = Path(client.download_artifacts(run_id, "sub/dir/report.txt", str(tmp_path / "dl")))
    assert out.read_bytes() == source.read_bytes()
    assert sorted(ws.get_run(run_id).get_file_names()) == [
        "notes/readme.md",
        "report.txt",
        "sub/dir/report.txt",
    ]


def test_bad_input_is_mlflow_errors_never_500(
    client: MlflowClient, served: tuple[LiveServer, Workspace]
) -> None:
    server, _ = served
    with pytest.raises(MlflowException) as unknown:
        client.get_run("0" * 32)
    assert unknown.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    status, body = _raw(server, "GET", "/api/2.0/mlflow/runs/get?run_id=" + "0" * 32, token=False)
    assert status == 401
    status, body = _raw(
        server, "POST", "/api/2.0/mlflow/runs/search", {"experiment_ids": ["0"]}, token=False
    )
    assert status in (401, 403)
    status, body = _raw(server, "POST", "/api/2.0/mlflow/runs/nothing-here", {})
    assert (status, body["error_code"]) == (404, "ENDPOINT_NOT_FOUND")
    status, body = _raw(server, "POST", "/api/2.0/mlflow/runs/create", {"experiment_id": "x"})
    assert (status, body["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    status, body = _raw(
        server, "POST", "/api/2.0/mlflow/runs/log-metric", {"run_id": "0" * 32, "key": "a"}
    )
    assert status == 400
    run = client.create_run("0")
    status, body = _raw(
        server,
        "POST",
        "/api/2.0/mlflow/runs/log-batch",
        {"run_id": run.info.run_id, "metrics": [{"key": "a", "value": 1, "timestamp": 0}] * 1001},
    )
    assert (status, body["error_code"]) == (400, "INVALID_PARAMETER_VALUE")
    where = f"{run.info.experiment_id}/{run.info.run_id}"
    escape = f"/api/2.0/mlflow-artifacts/artifacts/{where}/artifacts/a/%2e%2e/%2e%2e/x"
    request = urllib.request.Request(
        f"{server.url}/mlws/mlflow{escape}",
        data=b"x",
        method="PUT",
        headers={"Authorization": f"Bearer {server.token}"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    refused.value.close()
    assert refused.value.code == 400
    status, body = _raw(server, "POST", "/api/2.0/mlflow/runs/delete", {"run_id": "0" * 32})
    assert (status, body["error_code"]) == (404, "RESOURCE_DOES_NOT_EXIST")


def test_inputs_history_interval_and_unknown_runs(
    client: MlflowClient, served: tuple[LiveServer, Workspace]
) -> None:
    np = pytest.importorskip("numpy")
    mlflow.set_experiment("inputs")
    with mlflow.start_run() as active:
        dataset = mlflow.data.from_numpy(np.arange(10), name="nums")
        mlflow.log_input(dataset, context="training")
        mlflow.log_input(dataset, context="training")  # the same input again: kept once
        for step in range(100):
            mlflow.log_metric("loss", float(step), step=step)
    run = client.get_run(active.info.run_id)
    assert [i.dataset.name for i in run.inputs.dataset_inputs] == ["nums"]
    assert run.inputs.dataset_inputs[0].tags[0].value == "training"
    server, _ = served
    query = f"run_ids={active.info.run_id}&metric_key=loss&start_step=10&end_step=60&max_results=6"
    status, body = _raw(server, "GET", f"/api/2.0/mlflow/metrics/get-history-bulk-interval?{query}")
    assert status == 200
    assert [m["step"] for m in body["metrics"]] == [10, 20, 30, 40, 50, 60]
    with pytest.raises(MlflowException) as unknown:
        client.log_metric("f" * 32, "a", 1.0)
    assert unknown.value.error_code == "RESOURCE_DOES_NOT_EXIST"
