"""``GET /activity`` on a real server: the Jupyter user and the door of each change
(REST, MLflow's API, the CLI beside it), the filters, and bad input as 400."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import mlws_cli
from jupyter_server.auth import IdentityProvider, User

from jupyter_mlws.store.activity import os_user
from jupyter_mlws.workspace import Workspace

from .conftest import Api


class NamedUser(IdentityProvider):
    """The server knows who calls (as JupyterHub's single-user servers do): alice."""

    def generate_anonymous_user(self, handler: Any) -> User:
        return User(username="alice", name="alice")


@pytest.fixture  # type: ignore[no-redef]
def jp_server_config(workspace: Workspace) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_mlws.server": True},
            "identity_provider_class": NamedUser,
        },
        "MlwsApp": {"workspace": str(workspace.root)},
    }


async def _mlflow(http_server_client: Any, headers: Any, base: str, path: str, body: Any) -> Any:
    url = f"{base.rstrip('/')}/mlws/mlflow/api/2.0/mlflow/{path}"
    response = await http_server_client.fetch(
        url, method="POST", body=json.dumps(body), headers=dict(headers), raise_error=False
    )
    assert response.code == 200, response.body
    return json.loads(response.body)


async def test_rest_mlflow_and_cli_changes_name_their_user_and_door(
    api: Api,
    workspace: Workspace,
    tmp_path: Path,
    http_server_client: Any,
    jp_auth_header: Any,
    jp_base_url: str,
) -> None:
    workspace.experiment("doomed")
    reply = await api("POST", "experiments/doomed/archive")
    assert reply.status == 200
    await _mlflow(
        http_server_client, jp_auth_header, jp_base_url, "registered-models/create", {"name": "x"}
    )
    (tmp_path / "w.bin").write_bytes(b"w")
    project = workspace.root.parent
    mlws_cli(project, "model", "register", "churn", str(tmp_path / "w.bin"))
    mlws_cli(project, "model", "delete", "churn:1")

    entries = (await api("GET", "activity")).json["activity"]
    seen = [(e["action"], e["kind"], e["name"], e["user"], e["door"]) for e in entries]
    assert seen == [
        ("delete", "model", "churn:1", os_user(), "cli"),
        ("create", "model", "churn:1", os_user(), "cli"),
        ("create", "model", "x", "alice", "mlflow"),
        ("archive", "experiment", "doomed", "alice", "rest"),
        ("create", "experiment", "doomed", os_user(), "sdk"),
    ]

    models = (await api("GET", "activity", params={"kind": "model", "user": "alice"})).json
    assert [e["name"] for e in models["activity"]] == ["x"]
    latest = (await api("GET", "activity", params={"since": "1h", "limit": 1})).json
    assert [e["name"] for e in latest["activity"]] == ["churn:1"]


async def test_bad_filters_are_400(api: Api) -> None:
    for params in ({"since": "soon"}, {"kind": "models"}, {"limit": 0}, {"limit": "many"}):
        reply = await api("GET", "activity", params=params)
        assert reply.status == 400, params
        assert reply.json["error_code"] == "INVALID_PARAMETER_VALUE"


async def test_a_run_canceled_over_rest_is_logged_once(workspace: Workspace, api: Api) -> None:
    run = workspace.experiment("exp").start_logging()
    for _ in range(2):  # the second cancel changes nothing, so logs nothing
        assert (await api("POST", f"runs/{run.id}/cancel")).status == 200
    runs = (await api("GET", "activity", params={"kind": "run"})).json["activity"]
    assert [(e["action"], e["name"], e["user"], e["door"]) for e in runs] == [
        ("cancel", run.id, "alice", "rest")
    ]
    assert runs[0]["changes"] == {"status": "Canceled"}
