"""REST: pipeline endpoints started over HTTP, pipeline runs with their steps' reasons."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from pipeline_helpers import PREP, TRAIN, write

from jupyter_mlws.pipeline import Pipeline, PipelineData, PipelineParameter, PythonScriptStep
from jupyter_mlws.pipeline.published import PipelineEndpoint
from jupyter_mlws.workspace import Workspace

from .conftest import Api

pytestmark = pytest.mark.usefixtures("jp_serverapp")


@pytest.fixture
def endpoint(workspace: Workspace, tmp_path: Path) -> PipelineEndpoint:
    src = tmp_path / "src"
    write(src, "prep.py", PREP)
    write(src, "train.py", TRAIN)
    prepared = PipelineData("prepared")
    lr = PipelineParameter("lr", default_value=0.1)
    steps = [
        PythonScriptStep(
            "prep.py",
            name="prepare",
            source_directory=src,
            outputs=[prepared],
            arguments=["--out", prepared, "x"],
        ),
        PythonScriptStep(
            "train.py",
            name="train",
            source_directory=src,
            inputs=[prepared],
            arguments=["--in", prepared, "--lr", lr],
        ),
    ]
    published = Pipeline(workspace, steps).publish("train-pipe")
    return PipelineEndpoint.publish(workspace, "train", pipeline=published)


async def wait_ended(api: Api, run_id: str, limit_s: float = 120) -> Any:
    body: Any = None
    for _ in range(int(limit_s / 0.2)):
        body = (await api("GET", f"pipeline-runs/{run_id}")).json
        if body["status"] in ("Completed", "Failed", "Canceled"):
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"pipeline run {run_id} stayed {body and body['status']}")


async def test_endpoints_are_listed_and_started_over_rest(
    api: Api, endpoint: PipelineEndpoint
) -> None:
    listed = (await api("GET", "pipeline-endpoints")).json["endpoints"]
    assert [(e["name"], e["default_version"]) for e in listed] == [("train", 1)]
    shown = (await api("GET", "pipeline-endpoints/train")).json
    assert shown["versions"][0]["pipeline"]["parameters"] == {"lr": 0.1}

    reply = await api("POST", "pipeline-endpoints/train/runs", body={"experiment": "web"})
    assert reply.status == 201 and reply.json["experiment"] == "web"
    first = await wait_ended(api, reply.json["id"])
    assert first["status"] == "Completed"
    assert [s["reason"] for s in first["steps"]] == ["ran, because no earlier run"] * 2

    reply = await api(
        "POST",
        "pipeline-endpoints/train/runs",
        body={"experiment": "web", "parameters": {"lr": 0.05}, "version": 1},
    )
    second = await wait_ended(api, reply.json["id"])
    steps = {s["name"]: s for s in second["steps"]}
    prepare_run = first["steps"][0]["run_id"]
    assert steps["prepare"]["reason"] == f"reused (from run {prepare_run})"
    assert steps["prepare"]["run_id"] == prepare_run
    assert steps["train"]["reason"] == "ran, because parameter lr 0.1 → 0.05"
    assert second["parameters"] == {"lr": 0.05}


async def test_bad_requests_are_4xx_and_start_nothing(
    api: Api, endpoint: PipelineEndpoint, workspace: Workspace
) -> None:
    cases = [
        ("pipeline-endpoints/nope/runs", {}, 404, "RESOURCE_DOES_NOT_EXIST"),
        ("pipeline-endpoints/train/runs", {"parameters": {"lrr": 1}}, 400, "INVALID_PARAMETER"),
        ("pipeline-endpoints/train/runs", {"version": 9}, 404, "RESOURCE_DOES_NOT_EXIST"),
        ("pipeline-endpoints/train/runs", {"colour": "red"}, 400, "INVALID_PARAMETER"),
    ]
    for path, body, status, code in cases:
        reply = await api("POST", path, body=body)
        assert reply.status == status, reply.json
        assert reply.json["error_code"].startswith(code)
    assert "lrr" in (await api("POST", cases[1][0], body=cases[1][1])).json["message"]
    assert (await api("GET", "pipeline-endpoints/nope")).status == 404
    assert (await api("GET", "pipeline-runs/0123456789abcdef0123456789abcdef")).status == 404
    assert workspace.store.list_runs()[0] == []
