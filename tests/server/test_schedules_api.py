"""REST: schedules created, shown, disabled and deleted over HTTP; the server's own
scheduler fires them; bad requests are 4xx."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pipeline_helpers import PREP, write

from jupyter_mlws.pipeline import Pipeline, PipelineData, PythonScriptStep
from jupyter_mlws.pipeline.published import PipelineEndpoint
from jupyter_mlws.workspace import Workspace

from .conftest import Api
from .live_server import live_server
from .openapi_check import check_response


@pytest.fixture
def endpoint(workspace: Workspace, tmp_path: Path) -> PipelineEndpoint:
    write(tmp_path / "src", "prep.py", PREP)
    out = PipelineData("out")
    step = PythonScriptStep(
        "prep.py", source_directory=tmp_path / "src", outputs=[out], arguments=["--out", out, "1"]
    )
    return PipelineEndpoint.publish(
        workspace, "train", pipeline=Pipeline(workspace, [step]).publish("p")
    )


def test_the_server_fires_a_schedule_made_over_rest(
    workspace: Workspace, endpoint: PipelineEndpoint, tmp_path: Path
) -> None:
    settings = {"schedule_poll_seconds": 0.1}
    with live_server(workspace.root, tmp_path / "server", mlws_settings=settings) as server:

        def call(method: str, path: str, body: Any = None) -> Any:
            reply = httpx.request(
                method, f"{server.api}/{path}", json=body, headers=server.headers, timeout=60
            )
            check_response(
                method, "/" + path, reply.status_code, reply.headers["content-type"], reply.json()
            )
            return reply.json()

        body = {"name": "each-second", "experiment": "sched", "endpoint": "train"}
        created = call("POST", "schedules", {**body, "cron": "* * * * * *"})
        assert created["status"] == "Active" and created["kind"] == "cron"
        deadline = time.monotonic() + 120
        while not any(f["run_id"] for f in call("GET", "schedules/each-second")["firings"]):
            assert time.monotonic() < deadline, "the server's scheduler fired nothing"
            time.sleep(0.1)
        disabled = call("POST", "schedules/each-second/disable")
        assert disabled["status"] == "Disabled" and disabled["next_due_ms"] is None
        listed = call("GET", "schedules")["schedules"]
        assert [s["name"] for s in listed] == ["each-second"]
        assert call("POST", "schedules/each-second/enable")["enabled"] is True
        assert call("DELETE", "schedules/each-second") == {"deleted": "each-second"}
        assert call("GET", "schedules/each-second")["error_code"] == "RESOURCE_DOES_NOT_EXIST"


@pytest.mark.usefixtures("jp_serverapp")
async def test_bad_schedule_requests_are_4xx(api: Api, endpoint: PipelineEndpoint) -> None:
    base = {"name": "s", "experiment": "e", "endpoint": "train"}
    cases = [
        ({**base, "cron": "61 * * * *"}, 400, "does not parse"),
        ({**base, "endpoint": "nope", "cron": "* * * * *"}, 404, "nope"),
        ({"name": "s", "experiment": "e", "pipeline": "nope", "cron": "* * * * *"}, 404, "nope"),
        ({**base, "frequency": "Fortnight"}, 400, "frequency"),
        ({**base, "pipeline": "x", "cron": "* * * * *"}, 400, "body"),
        ({**base, "cron": "* * * * *", "parameters": {"lr": 1}}, 400, "lr"),
        ({**base}, 400, "one of"),
    ]
    for body, status, words in cases:
        reply = await api("POST", "schedules", body=body)
        assert reply.status == status, (body, reply.json)
        assert words in reply.json["message"], reply.json
    assert (await api("POST", "schedules", body={**base, "cron": "0 * * * *"})).status == 201
    again = await api("POST", "schedules", body={**base, "cron": "0 * * * *"})
    assert again.status == 409 and again.json["error_code"] == "RESOURCE_ALREADY_EXISTS"
    assert (await api("POST", "schedules/nope/disable")).status == 404
    assert (await api("DELETE", "schedules/nope")).status == 404
