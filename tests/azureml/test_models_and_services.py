"""Models and v1 deployments: local endpoints with v1's defaults and scoring contract."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest

SCORE_RAW = """\
import json
from azureml.core.model import Model

def init():
    global model_path
    model_path = Model.get_model_path("greeter")

def run(raw_data):
    data = json.loads(raw_data)["data"]
    with open(model_path) as f:
        word = f.read()
    return {"got": type(raw_data).__name__, "answer": [f"{word} {x}" for x in data]}
"""

SCORE_SCHEMA = """\
import numpy as np
from inference_schema.schema_decorators import input_schema, output_schema
from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType

def init():
    pass

@input_schema("data", NumpyParameterType(np.array([[1.0, 2.0]])))
@output_schema(NumpyParameterType(np.array([3.0])))
def run(data):
    assert isinstance(data, np.ndarray)
    return data.sum(axis=1).tolist()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "greeting.txt"
    path.write_text("hello")
    return path


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "service"
    folder.mkdir()
    (folder / "score.py").write_text(SCORE_RAW)
    (folder / "score_schema.py").write_text(SCORE_SCHEMA)
    (folder / "broken.py").write_text("def init():\n    raise RuntimeError('no model here')\n")
    return folder


def test_register_find_list_and_download(v1: object, model_file: Path, tmp_path: Path) -> None:
    from azureml.core import Model, Workspace
    from azureml.exceptions import ModelNotFoundException

    ws = Workspace.from_config()
    first = Model.register(
        ws, model_path=str(model_file), model_name="greeter", tags={"k": "v"}, description="d"
    )
    second = Model.register(workspace=ws, model_path=str(model_file), model_name="greeter")
    assert (first.id, second.id) == ("greeter:1", "greeter:2")
    assert first.url and first.tags == {"k": "v"} and first.description == "d"
    assert Model(ws, "greeter").version == 2
    assert Model(ws, name="greeter", version=1).tags == {"k": "v"}
    assert Model(ws, id="greeter:1").version == 1
    assert [m.id for m in Model.list(ws, name="greeter")] == ["greeter:2", "greeter:1"]
    assert [m.id for m in Model.list(ws, tags=[["k", "v"]])] == ["greeter:1"]
    with pytest.raises(ModelNotFoundException):
        Model(ws, "nope")
    path = Path(first.download(target_dir=str(tmp_path / "dl"), exist_ok=True))
    assert path.read_text() == "hello"
    local = Path(Model.get_model_path("greeter", _workspace=ws))  # outside a service
    assert local.read_text() == "hello" and "azureml-models" in local.parts


def test_local_deployment_runs_a_v1_score_py_with_the_raw_body(
    v1: object, model_file: Path, source: Path
) -> None:
    from azureml.core import Model, Workspace
    from azureml.core.model import InferenceConfig
    from azureml.core.webservice import LocalWebservice, Webservice

    ws = Workspace.from_config()
    model = Model.register(ws, model_path=str(model_file), model_name="greeter")
    config = InferenceConfig(entry_script="score.py", source_directory=str(source))
    port = free_port()
    service = Model.deploy(
        ws, "greeter-local", [model], config, LocalWebservice.deploy_configuration(port=port)
    )
    try:
        service.wait_for_deployment(show_output=True)
        assert service.state == "Healthy"
        assert service.port == port
        assert service.scoring_uri == f"http://127.0.0.1:{port}/score"
        answer = service.run(input_data=json.dumps({"data": ["ann", "bob"]}))
        assert answer == {"got": "str", "answer": ["hello ann", "hello bob"]}
        # No key for a local service, as in v1: plain HTTP works.
        plain = httpx.post(service.scoring_uri, content=b'{"data": ["cy"]}')
        assert plain.status_code == 200 and plain.json()["answer"] == ["hello cy"]
        assert "ready" in service.get_logs()
        assert set(ws.webservices) == {"greeter-local"}

        # reload() serves the edited score.py; update() swaps the model.
        (source / "score.py").write_text(SCORE_RAW.replace('f"{word} {x}"', 'f"{word}, {x}!"'))
        service.reload()
        assert service.run(json.dumps({"data": ["di"]}))["answer"] == ["hello, di!"]
        model_file.write_text("bye")
        newer = Model.register(ws, model_path=str(model_file), model_name="greeter")
        service.update(models=[newer])
        assert service.run(json.dumps({"data": ["ed"]}))["answer"] == ["bye, ed!"]
        assert Webservice(ws, "greeter-local").models[0].version == 2
    finally:
        service.delete()
    assert ws.webservices == {}


def test_aci_with_auth_and_an_inference_schema_run_serve_typed_inputs_and_swagger(
    v1: object, model_file: Path, source: Path
) -> None:
    from azureml.core import Model, Workspace
    from azureml.core.model import InferenceConfig
    from azureml.core.webservice import AciWebservice

    ws = Workspace.from_config()
    model = Model.register(ws, model_path=str(model_file), model_name="adder")
    service = Model.deploy(
        workspace=ws,
        name="adder",
        models=[model],
        inference_config=InferenceConfig(
            entry_script="score_schema.py", source_directory=str(source)
        ),
        deployment_config=AciWebservice.deploy_configuration(
            cpu_cores=1, memory_gb=1, auth_enabled=True
        ),
    )
    try:
        service.wait_for_deployment(show_output=False)
        assert service.run(json.dumps({"data": [[1, 2], [3, 4.5]]})) == [3.0, 7.5]
        primary, secondary = service.get_keys()
        assert primary and secondary and primary != secondary
        assert httpx.post(service.scoring_uri, content=b'{"data": [[1, 2]]}').status_code == 401
        wrong = httpx.post(
            service.scoring_uri,
            content=b'{"rows": [[1, 2]]}',
            headers={"Authorization": f"Bearer {primary}"},
        )
        assert wrong.status_code == 400
        assert wrong.json()["error"] == (
            "unexpected input(s) rows; missing input(s) data: this service takes data"
        )
        swagger = httpx.get(service.swagger_uri).json()
        assert swagger["swagger"] == "2.0" and "/score" in swagger["paths"]
        data = swagger["definitions"]["ServiceInput"]["properties"]["data"]
        assert data["format"] == "numpy.ndarray"
    finally:
        service.delete()


def test_aks_defaults_to_key_auth_and_a_failing_init_is_reported_by_wait(
    v1: object, model_file: Path, source: Path
) -> None:
    from azureml.core import Model, Workspace
    from azureml.core.model import InferenceConfig
    from azureml.core.webservice import AciWebservice, AksWebservice
    from azureml.exceptions import WebserviceException

    assert AksWebservice.deploy_configuration().auth == "key"
    assert AciWebservice.deploy_configuration().auth == "none"
    ws = Workspace.from_config()
    model = Model.register(ws, model_path=str(model_file), model_name="greeter")
    service = Model.deploy(
        ws,
        "broken",
        [model],
        InferenceConfig(entry_script=str(source / "broken.py")),
        AksWebservice.deploy_configuration(),
    )
    with pytest.raises(WebserviceException, match="no model here"):
        service.wait_for_deployment(show_output=True)
    assert service.state == "Failed"
