"""The routes of a running service and its answers to bad input (real HTTP, real workers)."""

from __future__ import annotations

import pytest

from jupyter_mlws.serving import Endpoint, EndpointInvokeError

from .support import client, wait_until


def key(service: Endpoint) -> str:
    return service.get_keys()["primary"]


def test_score_returns_what_run_returns(service: Endpoint) -> None:
    with client(service, key(service)) as http:
        response = http.post("/score", json={"data": [[1, 1, 1], [0, 0, 0]]})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"scores": [6.5, 0.5], "script": "v1"}


def test_invoke_client_sends_the_key(service: Endpoint) -> None:
    assert service.invoke({"data": [[0, 1, 0]]}) == {"scores": [2.5], "script": "v1"}


def test_health_routes_need_no_key(service: Endpoint) -> None:
    with client(service) as http:
        assert http.get("/health").json()["status"] == "Healthy"
        assert http.get("/v2/health/live").json() == {"live": True}
        assert http.get("/v2/health/ready").json() == {"ready": True}
        assert http.get("/v2").json()["name"] == "mlws"
        assert http.get("/score").status_code == 405


def test_open_inference_protocol(service: Endpoint) -> None:
    request = {
        "id": "req-1",
        "inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP64", "data": [1, 1, 1, 0, 0, 0]}],
    }
    with client(service, key(service)) as http:
        meta = http.get("/v2/models/linear")
        ready = http.get("/v2/models/linear/ready")
        inferred = http.post("/v2/models/linear/infer", json=request)
        versioned = http.post("/v2/models/linear/versions/1/infer", json=request)
        unknown = http.post("/v2/models/nope/infer", json=request)
        bad_shape = http.post(
            "/v2/models/linear/infer",
            json={"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP64", "data": [1]}]},
        )
    assert meta.json()["name"] == "linear" and meta.json()["versions"] == ["1"]
    assert ready.json()["ready"] is True
    body = inferred.json()
    assert inferred.status_code == 200
    assert body["model_name"] == "linear" and body["model_version"] == "1"
    assert body["id"] == "req-1"
    outputs = {o["name"]: o for o in body["outputs"]}
    assert outputs["scores"] == {
        "name": "scores",
        "shape": [2],
        "datatype": "FP64",
        "data": [6.5, 0.5],
    }
    assert versioned.status_code == 200
    assert unknown.status_code == 404 and "linear" in unknown.json()["error"]
    assert bad_shape.status_code == 400 and "shape" in bad_shape.json()["error"]


def test_malformed_json_is_400_with_a_message(service: Endpoint) -> None:
    with client(service, key(service)) as http:
        broken = http.post("/score", content=b'{"data": [[1, 2')
        empty = http.post("/score", content=b"")
    assert broken.status_code == 400
    assert broken.json()["error"].startswith("malformed JSON")
    assert empty.status_code == 400 and "empty" in empty.json()["error"]


def test_run_raising_is_500_with_an_error_id_and_the_service_goes_on(service: Endpoint) -> None:
    with client(service, key(service)) as http:
        failed = http.post("/score", json={"raise": "bad feature"})
        after = http.post("/score", json={"data": [[0, 0, 1]]})
    assert failed.status_code == 500
    payload = failed.json()
    assert payload["error"] == "run() raised ValueError: bad feature"
    error_id = payload["error_id"]
    assert after.status_code == 200 and after.json()["scores"] == [3.5]
    with client(service, key(service)) as http:
        unencodable = http.post("/score", json={"unencodable": True})
    assert unencodable.status_code == 500 and unencodable.json()["error_id"]
    assert unencodable.json()["error"].startswith("encoding run()'s result as JSON raised")
    log = wait_until(lambda: (text := service.get_logs()) and error_id in text and text)
    assert "ValueError: bad feature" in log.split(error_id, 1)[1]
    with pytest.raises(EndpointInvokeError) as info:
        service.invoke({"raise": "again"})
    assert info.value.status == 500 and info.value.error_id


def test_body_over_the_limit_is_413(service: Endpoint) -> None:
    big = b'{"data": [' + b"0," * 3000 + b"0]}"
    with client(service, key(service)) as http:
        declared = http.post("/score", content=big)
        chunked = http.post("/score", content=iter([big[:2000], big[2000:]]))
        after = http.post("/score", json={"data": [[1, 0, 0]]})
    assert declared.status_code == 413 and "4096 byte limit" in declared.json()["error"]
    assert chunked.status_code == 413
    assert after.status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer wrong-key", "Basic abc", "bearer"])
def test_missing_or_wrong_key_is_401(service: Endpoint, header: str | None) -> None:
    headers = {"authorization": header} if header is not None else {}
    with client(service) as http:
        response = http.post("/score", json={"data": [[1, 1, 1]]}, headers=headers)
        meta = http.get("/v2/models/linear", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in response.json()["error"]
    assert meta.status_code == 401


def test_secondary_key_works_too(service: Endpoint) -> None:
    with client(service, service.get_keys()["secondary"]) as http:
        assert http.post("/score", json={"data": [[1, 0, 0]]}).status_code == 200


def test_request_slower_than_the_timeout_is_504(service: Endpoint) -> None:
    with client(service, key(service)) as http:
        slow = http.post("/score", json={"sleep": 3})
        after = http.post("/score", json={"data": [[0, 0, 0]]})
    assert slow.status_code == 504
    assert "1 s timeout" in slow.json()["error"] and slow.json()["error_id"]
    assert after.status_code == 200


def test_telemetry_counts_requests_errors_and_latency(service: Endpoint) -> None:
    before = service.metrics()["total"]
    with client(service, key(service)) as http:
        for _ in range(20):
            assert http.post("/score", json={"data": [[1, 2, 3]]}).status_code == 200
        assert http.post("/score", json={"raise": "x"}).status_code == 500
        assert http.post("/score", content=b"{").status_code == 400

    def counted() -> bool:
        return service.metrics()["total"].requests >= before.requests + 22

    wait_until(counted, timeout_s=15)
    after = service.metrics()["total"]
    assert after.errors >= before.errors + 1
    assert after.client_errors >= before.client_errors + 1
    assert after.p50_ms is not None and after.p95_ms is not None
    assert 0 < after.p50_ms <= after.p95_ms
    assert service.metrics()["last_5_min"].requests >= 22
