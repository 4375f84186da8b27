"""``GET /endpoints/{name}/data`` on a real server over a real collecting service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serving.support import register_linear, stop_all, wait_until, write_source

from jupyter_mlws.services import endpoint_data
from jupyter_mlws.serving import Endpoint
from jupyter_mlws.workspace import Workspace

from .conftest import Api


@pytest.fixture
def collecting(workspace: Workspace, tmp_path: Path) -> Iterator[Endpoint]:
    register_linear(workspace, "linear", 0.5, tmp_path / "model")
    source = write_source(tmp_path / "src")
    yield workspace.deploy("collecting", ["linear"], source_dir=source, collect_data=True)
    stop_all(workspace)


async def test_collected_data_over_rest(collecting: Endpoint, api: Api) -> None:
    headers = {"authorization": f"Bearer {collecting.get_keys()['primary']}"}
    with httpx.Client(base_url=collecting.base_uri, headers=headers, timeout=30) as http:
        for i in range(3):
            http.post("/score", json={"data": [[i, 0, 0]]}, headers={"x-request-id": f"rest-{i}"})
    ws = collecting.workspace
    wait_until(lambda: endpoint_data.collected_records(ws, "collecting", "1h")["count"] == 3)

    reply = await api("GET", "endpoints/collecting/data", params={"since": "1h"})
    assert reply.status == 200 and reply.json["count"] == 3
    assert [r["request_id"] for r in reply.json["records"]] == ["rest-0", "rest-1", "rest-2"]
    assert reply.json["records"][2]["input"] == {"data": [[2, 0, 0]]}
    last = await api("GET", "endpoints/collecting/data", params={"limit": "1"})
    assert last.status == 200 and [r["request_id"] for r in last.json["records"]] == ["rest-2"]

    bad = await api("GET", "endpoints/collecting/data", params={"since": "soon"})
    assert bad.status == 400 and "since must be" in bad.json["message"]
    bad_limit = await api("GET", "endpoints/collecting/data", params={"limit": "0"})
    assert bad_limit.status == 400
    missing = await api("GET", "endpoints/nope/data")
    assert missing.status == 404
