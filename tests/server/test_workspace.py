"""Workspace, experiments, compute targets and the route table against openapi.yaml."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_mlws.server.base import openapi_spec
from jupyter_mlws.server.routes import API_PREFIX, route_table
from jupyter_mlws.workspace import Workspace

from .conftest import Api
from .seed import tracked_run

pytestmark = pytest.mark.usefixtures("jp_serverapp")


def test_every_route_is_in_openapi_and_every_path_is_routed() -> None:
    import re

    spec_paths = set(openapi_spec()["paths"])
    routed: set[str] = set()
    for pattern, _handler in route_table():
        relative = pattern.removeprefix(f"/{API_PREFIX}")
        if relative == "/(.*)":
            continue
        relative = re.sub(r"\(\[\^/\]\+\)", "{}", relative)
        if "(start|stop)" in relative:
            routed |= {relative.replace("(start|stop)", a) for a in ("start", "stop")}
        else:
            routed.add(relative)
    normalise = lambda p: re.sub(r"\{[^}]+\}", "{}", p)  # noqa: E731
    assert {normalise(p) for p in routed} == {normalise(p) for p in spec_paths}


async def test_workspace_reports_its_root_and_ui_settings(workspace: Workspace, api: Api) -> None:
    reply = await api("GET", "workspace")
    assert reply.status == 200
    assert reply.json["root"] == str(workspace.root)
    assert reply.json["settings"]["refresh_interval_ms"] == 1000


async def test_openapi_document_is_served(api: Api) -> None:
    reply = await api("GET", "openapi.yaml")
    assert reply.status == 200 and b"/runs/{run}/logs" in reply.body


async def test_experiments_list_get_and_archive(workspace: Workspace, api: Api) -> None:
    tracked_run(workspace, "alpha")
    tracked_run(workspace, "alpha")
    tracked_run(workspace, "beta")
    listed = await api("GET", "experiments")
    counts = {e["name"]: e["run_count"] for e in listed.json["experiments"]}
    assert counts == {"alpha": 2, "beta": 1}
    alpha = await api("GET", "experiments/alpha")
    assert alpha.json["run_count"] == 2
    archived = await api("POST", f"experiments/{alpha.json['id']}/archive")
    assert archived.status == 200 and archived.json["archived"] is True
    active = await api("GET", "experiments")
    assert [e["name"] for e in active.json["experiments"]] == ["beta"]
    everything = await api("GET", "experiments", {"include_archived": "true"})
    assert len(everything.json["experiments"]) == 2
    gone = await api("GET", "experiments/alpha")
    assert gone.status == 404


async def test_compute_targets_local_is_always_on(api: Api) -> None:
    listed = await api("GET", "compute")
    (local,) = listed.json["targets"]
    assert local["name"] == "local" and local["status"] == "Running"
    one = await api("GET", "compute/local")
    assert one.json["active_runs"] == 0
    stop = await api("POST", "compute/local/stop")
    assert stop.status == 409 and stop.json["error_code"] == "RESOURCE_CONFLICT"
    missing = await api("POST", "compute/gpu/start")
    assert missing.status == 404


async def test_compute_shows_dask_targets_as_admin_reports_them(
    workspace: Workspace, api: Api
) -> None:
    from jupyter_mlws.compute import admin

    admin.create_target(workspace, "cluster", min_nodes=0, max_nodes=2)
    admin.attach_target(workspace, "remote", "tcp://127.0.0.1:9")
    listed = await api("GET", "compute")
    status = {t["name"]: t["status"] for t in listed.json["targets"]}
    assert status == {"local": "Running", "cluster": "Stopped", "remote": "Attached"}
    cluster = await api("GET", "compute/cluster")
    assert cluster.json["config"]["max_nodes"] == 2 and cluster.json["queued_runs"] == 0
    stop_attached = await api("POST", "compute/remote/stop")
    assert stop_attached.status == 400 and "attached" in stop_attached.json["message"]


async def test_unknown_endpoint_is_json_404(api: Api) -> None:
    reply = await api("GET", "nowhere", check=False)
    assert reply.status == 404 and reply.json["error_code"] == "ENDPOINT_NOT_FOUND"


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"path": 3}', b'{"path": "a.ipynb", "surprise": 1}', b"{}"],
)
async def test_malformed_bodies_are_400(api: Api, body: bytes) -> None:
    reply = await api("POST", "runs", raw_body=body)
    assert reply.status == 400 and reply.json["error_code"] == "INVALID_PARAMETER_VALUE"


async def test_change_feed_names_the_runs_and_lists_that_changed(
    workspace: Workspace, api: Api
) -> None:
    async def feed(cursor: str) -> Any:
        reply = await api("GET", "changes", {"cursor": cursor})
        assert reply.status == 200
        return reply.json

    first = (await api("GET", "changes")).json
    assert first["changes"] == []
    assert (await feed(first["cursor"]))["changes"] == []  # time alone is no change
    run = workspace.experiment("exp").start_logging()
    created = await feed(first["cursor"])
    kinds = {(c["kind"], c.get("run_id")) for c in created["changes"]}
    assert ("run", run.id) in kinds and ("experiments", None) in kinds
    assert ("models", None) not in kinds and ("endpoints", None) not in kinds
    workspace.store.log_metrics(run.id, [("loss", 1.0, 0, 1)])
    pointed = await feed(created["cursor"])
    metrics = [c for c in pointed["changes"] if c["kind"] == "metrics"]
    assert [(c["run_id"], c["version"]) for c in metrics] == [(run.id, 1)]
    assert (await api("GET", "changes", {"cursor": "nonsense"})).status == 400


async def test_models_and_endpoints_read_views(
    workspace: Workspace, api: Api, tmp_path: Any
) -> None:
    weights = tmp_path / "model.pkl"
    weights.write_bytes(b"w1")
    workspace.register_model("clf", weights, tags={"stage": "dev"})
    weights.write_bytes(b"w2")
    workspace.register_model("clf", weights)
    listed = await api("GET", "models")
    assert [m["ref"] for m in listed.json["models"]] == ["clf:2", "clf:1"]
    latest = await api("GET", "models", {"latest": "true"})
    assert [m["ref"] for m in latest.json["models"]] == ["clf:2"]
    one = await api("GET", "models/clf:1")
    assert one.json["tags"] == {"stage": "dev"} and one.json["files"][0]["size"] == 2
    assert (await api("GET", "models/nope")).status == 404
    endpoints = await api("GET", "endpoints")
    assert endpoints.json == {"endpoints": []}
    assert (await api("GET", "endpoints/scorer")).status == 404
