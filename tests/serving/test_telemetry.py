"""Endpoint telemetry on real services: request ids, the request log and its rotation,
Prometheus ``/metrics``, and ``mlws endpoint stats`` read back from the log."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from jupyter_mlws import Workspace
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.services import endpoints as endpoint_service
from jupyter_mlws.serving import Endpoint
from jupyter_mlws.serving.request_stats import parse_since

from .support import client, register_linear, stop_all, wait_until, write_source

HEX_ID = re.compile(r"^[0-9a-f]{32}$")
MARKER = "PAYLOAD-MARKER-7f3c"


@pytest.fixture(scope="module")
def tel_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    folder = tmp_path_factory.mktemp("telemetry")
    ws = Workspace.init(folder / "project")
    register_linear(ws, "linear", 0.5, folder / "model")
    write_source(folder / "src")
    yield ws
    stop_all(ws)


def deploy(ws: Workspace, name: str, **options: Any) -> Endpoint:
    return ws.deploy(name, ["linear"], source_dir=ws.root.parent.parent / "src", **options)


@pytest.fixture(scope="module")
def keyed(tel_ws: Workspace) -> Endpoint:
    return deploy(tel_ws, "keyed", workers=2)


def primary(endpoint: Endpoint) -> str:
    return endpoint.get_keys()["primary"]


def log_lines(endpoint: Endpoint) -> list[dict[str, Any]]:
    path = endpoint.layout.request_log_path
    files = sorted(path.parent.glob("requests.jsonl*"))
    return [json.loads(line) for f in files for line in f.read_text().splitlines()]


def line_of(endpoint: Endpoint, request_id: str) -> dict[str, Any]:
    def find() -> dict[str, Any] | None:
        return next((x for x in log_lines(endpoint) if x["request_id"] == request_id), None)

    found: dict[str, Any] = wait_until(find)
    return found


def scrape(endpoint: Endpoint, key: str | None) -> dict[tuple[str, tuple[Any, ...]], float]:
    with client(endpoint, key) as http:
        response = http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def test_request_ids_are_kept_or_made_and_echoed(keyed: Endpoint) -> None:
    with client(keyed, primary(keyed)) as http:
        given = http.post("/score", json={"data": [[1, 1, 1]]}, headers={"x-request-id": "req-42"})
        azure = http.post(
            "/score", json={"data": [[1, 1, 1]]}, headers={"x-ms-request-id": "a.b:c"}
        )
        insane = http.post(
            "/score", json={"data": [[1, 1, 1]]}, headers={"x-request-id": "no spaces please"}
        )
        bad_json = http.post("/score", content=b'{"data": [', headers={"x-request-id": "bad-1"})
        raised = http.post("/score", json={"raise": "boom"})
        unknown = http.post("/v2/models/nope/infer", json={"inputs": []})
    with client(keyed) as http:
        no_key = http.post("/score", json={"data": [[1, 1, 1]]})
    assert given.headers["x-request-id"] == "req-42"
    assert azure.headers["x-request-id"] == "a.b:c"
    assert HEX_ID.match(insane.headers["x-request-id"])
    assert bad_json.status_code == 400 and bad_json.json()["request_id"] == "bad-1"
    assert raised.status_code == 500
    assert raised.json()["request_id"] == raised.headers["x-request-id"]
    assert raised.json()["error_id"]  # the traceback's id in the service log, as before
    assert unknown.status_code == 404
    assert unknown.json()["request_id"] == unknown.headers["x-request-id"]
    assert no_key.status_code == 401 and HEX_ID.match(no_key.json()["request_id"])


def test_request_log_lines_say_what_happened_and_hold_no_payload_or_key(keyed: Endpoint) -> None:
    key = primary(keyed)
    body = json.dumps({"data": [[1, 2, 3]], "note": MARKER}).encode()
    with client(keyed, key) as http:
        ok = http.post("/score?token=" + MARKER, content=body, headers={"x-request-id": "log-ok"})
        http.post("/score", content=b"{", headers={"x-request-id": "log-bad"})
        http.get("/health", headers={"x-request-id": "log-health"})
    line = line_of(keyed, "log-ok")
    assert line["method"] == "POST" and line["path"] == "/score" and line["status"] == 200
    assert line["bytes_in"] == len(body) and line["bytes_out"] == len(ok.content)
    assert line["latency_ms"] >= 0 and line["ts"] > 0 and line["time"].endswith("Z")
    assert line["endpoint"] == "keyed" and line["models"] == ["linear:1"]
    assert line["generation"] == keyed.refresh().generation
    assert line_of(keyed, "log-bad")["status"] == 400
    assert line_of(keyed, "log-health")["path"] == "/health"
    texts = [p.read_text() for p in keyed.layout.dir.glob("*.log*")]
    texts += [p.read_text() for p in keyed.layout.dir.glob("requests.jsonl*")]
    for text in texts:
        assert key not in text
        assert MARKER not in text


def test_metrics_need_the_key_and_count_every_worker(keyed: Endpoint) -> None:
    key = primary(keyed)
    with client(keyed) as http:
        refused = http.get("/metrics")
        wrong = http.get("/metrics", headers={"authorization": "Bearer nope"})
    assert refused.status_code == 401 and wrong.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    ok_key = ("mlws_requests_total", (("code", "200"), ("route", "score")))
    bad_key = ("mlws_requests_total", (("code", "400"), ("route", "score")))
    count_key = ("mlws_request_duration_seconds_count", (("route", "score"),))
    before = scrape(keyed, key)
    # new connections each time, so that both workers answer some of them
    for _ in range(6):
        with client(keyed, key) as http:
            http.post("/score", json={"data": [[1, 1, 1]]})
    for _ in range(3):
        with client(keyed, key) as http:
            http.post("/score", content=b"not json")
    after = scrape(keyed, key)
    assert after[ok_key] - before.get(ok_key, 0) == 6
    assert after[bad_key] - before.get(bad_key, 0) == 3
    assert after[count_key] - before.get(count_key, 0) == 9
    assert after[("mlws_requests_in_flight", ())] == 1  # the scrape itself
    assert ("mlws_worker_restarts_total", ()) in after
    pids = {line["worker"] for line in log_lines(keyed)}
    assert len(pids) == 2  # both workers answered, and /metrics summed them


def test_logs_rotate_by_size_and_metrics_are_open_without_auth(tel_ws: Workspace) -> None:
    endpoint = deploy(tel_ws, "open", auth="none", log_max_bytes=1024, log_backups=2)
    with client(endpoint) as http:
        for i in range(40):
            http.post("/score", json={"data": [[1, 1, 1]]}, headers={"x-request-id": f"r{i}"})
        for i in range(20):
            http.post("/score", json={"print": "x" * 100}, headers={"x-request-id": f"p{i}"})
    layout = endpoint.layout
    wait_until(lambda: line_of_last(endpoint))
    wait_until(lambda: Path(f"{layout.log_path}.2").exists())
    requests = sorted(layout.dir.glob("requests.jsonl*"))
    assert [p.name for p in requests] == ["requests.jsonl", "requests.jsonl.1", "requests.jsonl.2"]
    for path in [*requests, *layout.dir.glob("service.log*")]:
        assert path.stat().st_size <= 1024 + 400, path  # the limit, plus at most one line
        assert path.stat().st_mode & 0o077 == 0, path
    for path in requests:  # whole lines only: the workers' writes never interleave
        for line in path.read_text().splitlines():
            assert json.loads(line)["endpoint"] == "open"
    assert not Path(f"{layout.log_path}.3").exists()
    assert "score.py says" in endpoint.get_logs(5)
    assert scrape(endpoint, None)[("mlws_requests_total", (("code", "200"), ("route", "score")))]


def line_of_last(endpoint: Endpoint) -> bool:
    return any(line["request_id"] == "p19" for line in log_lines(endpoint))


MLWS = [sys.executable, "-m", "jupyter_mlws.cli"]


def mlws(ws: Workspace, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLWS_WORKSPACE": str(ws.root)}
    proc = subprocess.run([*MLWS, *args], env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == code, proc.stdout + proc.stderr
    return proc


def test_stats_count_requests_by_status_from_the_log(tel_ws: Workspace) -> None:
    endpoint = deploy(tel_ws, "counted")
    key = primary(endpoint)
    with client(endpoint, key) as http:
        for _ in range(5):
            assert http.post("/score", json={"data": [[1, 1, 1]]}).status_code == 200
        for _ in range(2):
            assert http.post("/score", content=b"{").status_code == 400
        assert http.post("/score", json={"raise": "no"}).status_code == 500
    with client(endpoint) as http:
        assert http.post("/score", json={"data": [[1, 1, 1]]}).status_code == 401
    found = wait_until(
        lambda: (s := endpoint_service.endpoint_stats(tel_ws, "counted", "1h")).requests == 9 and s
    )
    assert found.errors == 4
    assert found.by_status == {"200": 5, "400": 2, "401": 1, "500": 1}
    assert found.by_model == {"linear:1": 9}
    assert found.p50_ms is not None and found.p95_ms is not None and found.p99_ms is not None
    assert 0 < found.p50_ms <= found.p95_ms <= found.p99_ms
    assert found.requests_per_s == round(9 / 3600, 3)

    shown = json.loads(
        mlws(tel_ws, "endpoint", "stats", "counted", "--since", "1h", "--json").stdout
    )
    assert shown["requests"] == 9 and shown["errors"] == 4
    assert shown["by_status"] == found.by_status
    text = mlws(tel_ws, "endpoint", "stats", "counted").stdout
    assert "200: 5, 400: 2, 401: 1, 500: 1" in text

    bad = mlws(tel_ws, "endpoint", "stats", "counted", "--since", "soon", code=1)
    assert bad.stderr.strip().count("\n") == 0 and "since must be" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = mlws(tel_ws, "endpoint", "stats", "nope", code=1)
    assert missing.stderr.strip().count("\n") == 0 and "nope" in missing.stderr


def test_stats_bad_input_is_a_typed_error(tel_ws: Workspace) -> None:
    with pytest.raises(ResourceNotFoundError):
        endpoint_service.endpoint_stats(tel_ws, "no-such-endpoint", "1h")
    for since in ("0h", "1.5h", "1 h", "-1h", "1y", ""):
        with pytest.raises(InvalidParameterError, match="since must be"):
            parse_since(since)
    assert parse_since("90s") == 90 and parse_since("2d") == 2 * 86400
