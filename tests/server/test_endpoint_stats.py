"""``GET /endpoints/{name}/stats`` on a real server over a real scoring service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serving.support import register_linear, stop_all, wait_until, write_source

from jupyter_mlws.services import endpoints as endpoint_service
from jupyter_mlws.serving import Endpoint
from jupyter_mlws.workspace import Workspace

from .conftest import Api


@pytest.fixture
def served(workspace: Workspace, tmp_path: Path) -> Iterator[Endpoint]:
    register_linear(workspace, "linear", 0.5, tmp_path / "model")
    yield workspace.deploy("scored", ["linear"], source_dir=write_source(tmp_path / "src"))
    stop_all(workspace)


async def test_stats_over_rest_match_the_requests_sent(served: Endpoint, api: Api) -> None:
    headers = {"authorization": f"Bearer {served.get_keys()['primary']}"}
    with httpx.Client(base_url=served.base_uri, headers=headers, timeout=30) as http:
        for _ in range(3):
            http.post("/score", json={"data": [[1, 1, 1]]})
        http.post("/score", content=b"{")
    wait_until(lambda: endpoint_service.endpoint_stats(served.workspace, "scored").requests == 4)

    reply = await api("GET", "endpoints/scored/stats", params={"since": "15m"})
    assert reply.status == 200
    assert reply.json["requests"] == 4 and reply.json["errors"] == 1
    assert reply.json["by_status"] == {"200": 3, "400": 1}
    assert reply.json["by_model"] == {"linear:1": 4}
    assert reply.json["p50_ms"] <= reply.json["p99_ms"]
    default = await api("GET", "endpoints/scored/stats")
    assert default.status == 200 and default.json["until_ms"] - default.json["since_ms"] == 3600_000

    bad = await api("GET", "endpoints/scored/stats", params={"since": "soon"})
    assert bad.status == 400 and bad.json["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "since must be" in bad.json["message"]
    missing = await api("GET", "endpoints/nope/stats")
    assert missing.status == 404 and missing.json["error_code"] == "RESOURCE_DOES_NOT_EXIST"


async def test_stats_series_over_rest_bucket_the_same_requests(served: Endpoint, api: Api) -> None:
    headers = {"authorization": f"Bearer {served.get_keys()['primary']}"}
    with httpx.Client(base_url=served.base_uri, headers=headers, timeout=30) as http:
        for _ in range(3):
            http.post("/score", json={"data": [[1, 1, 1]]})
        http.post("/score", content=b"{")
    wait_until(lambda: endpoint_service.endpoint_stats(served.workspace, "scored").requests == 4)

    reply = await api(
        "GET", "endpoints/scored/stats/series", params={"since": "15m", "bucket": "1m"}
    )
    assert reply.status == 200
    body = reply.json
    assert len(body["times_ms"]) == len(body["requests"]) == 15 and body["bucket_ms"] == 60_000
    assert sum(body["requests"]) == 4
    assert {code: sum(counts) for code, counts in body["by_status"].items()} == {"200": 3, "400": 1}
    busy = [i for i, n in enumerate(body["requests"]) if n]
    assert all(body["p50_ms"][i] <= body["p99_ms"][i] for i in busy)
    assert all(body["p50_ms"][i] is None for i, n in enumerate(body["requests"]) if not n)
    assert sum(body["requests_per_s"]) * 60 == pytest.approx(4, abs=0.1)  # rounded
    default = await api("GET", "endpoints/scored/stats/series")
    assert default.status == 200 and len(default.json["times_ms"]) == 60

    too_many = await api(
        "GET", "endpoints/scored/stats/series", params={"since": "1w", "bucket": "1s"}
    )
    assert too_many.status == 400 and "too many" in too_many.json["message"]
    bad = await api("GET", "endpoints/scored/stats/series", params={"bucket": "0s"})
    assert bad.status == 400 and bad.json["error_code"] == "INVALID_PARAMETER_VALUE"
    missing = await api("GET", "endpoints/nope/stats/series")
    assert missing.status == 404 and missing.json["error_code"] == "RESOURCE_DOES_NOT_EXIST"
