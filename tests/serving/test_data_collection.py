"""Model data collection on real services: every sampled request's input and output with
its request id in the datastore's hourly partitions, sampling, a full queue that drops
and counts without slowing scoring, refusals at deploy, and ``mlws endpoint data``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from jupyter_mlws import Workspace
from jupyter_mlws.data import TabularDataset
from jupyter_mlws.services import endpoint_data
from jupyter_mlws.serving import Deployment, Endpoint, collection, lifecycle
from jupyter_mlws.serving.errors import DataCollectionError
from jupyter_mlws.serving.runtime.collector import sampled

from .support import client, register_linear, stop_all, wait_until, write_source

MLWS = [sys.executable, "-m", "jupyter_mlws.cli"]


@pytest.fixture(scope="module")
def dc_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    folder = tmp_path_factory.mktemp("collection")
    ws = Workspace.init(folder / "project")
    register_linear(ws, "linear", 0.5, folder / "model")
    write_source(folder / "src")
    yield ws
    stop_all(ws)


def src(ws: Workspace) -> Path:
    return ws.root.parent.parent / "src"


def mlws(ws: Workspace, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLWS_WORKSPACE": str(ws.root)}
    proc = subprocess.run([*MLWS, *args], env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == code, proc.stdout + proc.stderr
    return proc


def send(endpoint: Endpoint, ids: list[str]) -> dict[str, Any]:
    """One request per id; returns what each answered, by id."""
    answers = {}
    with client(endpoint, endpoint.get_keys()["primary"]) as http:
        for i, rid in enumerate(ids):
            reply = http.post("/score", json={"data": [[i, 1, 1]]}, headers={"x-request-id": rid})
            assert reply.status_code == 200 and reply.headers["x-request-id"] == rid
            answers[rid] = reply.json()
    return answers


def collected_ids(endpoint: Endpoint) -> set[str]:
    return {r["request_id"] for r in endpoint.collected_records("1h")}


@pytest.fixture(scope="module")
def full(dc_ws: Workspace) -> Endpoint:
    return dc_ws.deploy("full", ["linear"], source_dir=src(dc_ws), workers=2, collect_data=True)


def test_every_request_is_collected_with_its_id_input_and_output(full: Endpoint) -> None:
    ids = [f"req-{i:03d}" for i in range(25)]
    answers = send(full, ids)
    wait_until(lambda: collected_ids(full) >= set(ids))

    records = {r["request_id"]: r for r in full.collected_records("1h")}
    assert set(records) == set(ids)  # each exactly once (both workers wrote)
    for i, rid in enumerate(ids):
        assert records[rid]["input"] == {"data": [[i, 1, 1]]}
        assert records[rid]["output"] == answers[rid]
        assert records[rid]["models"] == ["linear:1"] and records[rid]["endpoint"] == "full"

    frame = full.collected_data(since="1h")
    assert len(frame) == len(ids)
    assert {"time", "request_id", "input", "output"} <= set(frame.columns)
    assert str(frame["time"].dtype).startswith("datetime64")

    # Hourly partitions in the workspace's default datastore.
    fs, root = full.workspace.get_default_datastore().filesystem()
    files = [str(p) for p in fs.find(f"{root}/collected/full")]
    assert files
    hour = time.strftime("%Y/%m/%d/%H", time.gmtime(records[ids[0]]["ts"] / 1000))
    assert any(f"/collected/full/linear-v1/{hour}/" in f for f in files)


def test_collected_data_registers_as_a_tabular_dataset(full: Endpoint) -> None:
    ids = ["reg-a", "reg-b", "reg-c"]
    send(full, ids)
    wait_until(lambda: collected_ids(full) >= set(ids))
    total = len(full.collected_records("1h"))

    dataset = endpoint_data.register_collected_data(full.workspace, "full", "full-traffic")
    assert isinstance(dataset, TabularDataset) and dataset.ref == "full-traffic:1"
    frame = dataset.to_pandas_dataframe()
    assert len(frame) == total and set(ids) <= set(frame["request_id"])
    assert json.loads(frame.loc[frame["request_id"] == "reg-b", "input"].iloc[0]) == {
        "data": [[1, 1, 1]]
    }


def test_half_sampling_collects_the_ids_it_samples(dc_ws: Workspace) -> None:
    endpoint = dc_ws.deploy(
        "half", ["linear"], source_dir=src(dc_ws), collect_data=True, sampling_rate=0.5
    )
    ids = [f"half-{i:04d}" for i in range(200)]
    send(endpoint, ids)
    expected = {rid for rid in ids if sampled(rid, 0.5)}
    assert 60 < len(expected) < 140  # crc32 of the id: about half
    wait_until(lambda: collected_ids(endpoint) == expected)
    endpoint.delete()


def metric(endpoint: Endpoint, name: str) -> float:
    with client(endpoint, endpoint.get_keys()["primary"]) as http:
        text = http.get("/metrics").text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                return float(sample.value)
    return 0.0


def test_a_full_queue_drops_and_counts_and_scoring_goes_on(dc_ws: Workspace) -> None:
    # A queue of 2 that is written only when the service stops: the rest must drop.
    settings = collection.for_datastore(
        dc_ws.get_default_datastore(), 1.0, queue_size=2, flush_s=3600
    )
    spec = Deployment(models=["linear"], source_dir=src(dc_ws), data_collection=settings)
    keys = lifecycle.deploy(dc_ws, "tiny", spec)
    endpoint = Endpoint(dc_ws, "tiny", keys=keys)
    ids = [f"tiny-{i}" for i in range(10)]
    send(endpoint, ids)  # every request answered 200

    wait_until(lambda: metric(endpoint, "mlws_collected_dropped_total") == 8)
    stats = endpoint.request_stats("1h")
    assert stats.collection == {"collected": 0, "dropped": 8, "failed": 0}
    shown = mlws(dc_ws, "endpoint", "stats", "tiny").stdout
    assert "0 collected, 8 dropped (queue full)" in shown

    endpoint.stop()  # a graceful stop writes what was queued
    assert collected_ids(endpoint) == set(ids[:2])
    endpoint.delete()


@pytest.mark.parametrize("rate", [0, -0.1, 1.5, True, "half"])
def test_a_bad_sampling_rate_is_refused_before_anything_is_deployed(
    dc_ws: Workspace, rate: Any
) -> None:
    with pytest.raises(DataCollectionError, match="sampling_rate must be"):
        dc_ws.deploy(
            "badrate", ["linear"], source_dir=src(dc_ws), collect_data=True, sampling_rate=rate
        )
    assert "badrate" not in [r.name for r in dc_ws.store.list_endpoints()]
    assert not (dc_ws.root / "endpoints" / "badrate").exists()


def test_the_cli_refuses_a_bad_rate_in_one_line(dc_ws: Workspace) -> None:
    proc = mlws(
        dc_ws,
        *("endpoint", "deploy", "clirate", "-m", "linear", "--source-dir", str(src(dc_ws))),
        *("--collect-data", "--sampling-rate", "2"),
        code=1,
    )
    assert "sampling_rate must be" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_datastore_that_is_not_writable_is_refused_at_deploy(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "project")
    register_linear(ws, "linear", 0.5, tmp_path / "model")
    store = ws.get_default_datastore()
    _, root = store.filesystem()
    Path(root).parent.mkdir(parents=True, exist_ok=True)
    Path(root).write_text("a file where the datastore's folder should be")
    try:
        with pytest.raises(DataCollectionError, match="is not writable"):
            ws.deploy(
                "nowrite", ["linear"], source_dir=write_source(tmp_path / "src"), collect_data=True
            )
        assert ws.store.list_endpoints() == []
    finally:
        stop_all(ws)


def test_endpoint_data_cli_table_json_and_register(full: Endpoint, dc_ws: Workspace) -> None:
    send(full, ["cli-one", "cli-two"])
    wait_until(lambda: collected_ids(full) >= {"cli-one", "cli-two"})

    table = mlws(dc_ws, "endpoint", "data", "full", "--since", "1h").stdout
    assert "cli-one" in table and "cli-two" in table and "linear:1" in table
    data = json.loads(mlws(dc_ws, "endpoint", "data", "full", "--since", "1h", "--json").stdout)
    assert data["count"] == len(data["records"]) and data["datastore"] == "workspaceblobstore"
    two = next(r for r in data["records"] if r["request_id"] == "cli-two")
    assert two["input"] == {"data": [[1, 1, 1]]} and "scores" in two["output"]
    limited = json.loads(mlws(dc_ws, "endpoint", "data", "full", "--limit", "1", "--json").stdout)
    assert limited["count"] == 1

    registered = mlws(dc_ws, "endpoint", "data", "full", "--register", "cli-traffic").stdout
    assert "cli-traffic:1" in registered

    bad = mlws(dc_ws, "endpoint", "data", "full", "--since", "soon", code=1)
    assert "since must be" in bad.stderr and "Traceback" not in bad.stderr


def test_an_endpoint_without_collection_says_so(dc_ws: Workspace) -> None:
    plain = dc_ws.deploy("plain", ["linear"], source_dir=src(dc_ws))
    proc = mlws(dc_ws, "endpoint", "data", "plain", code=1)
    assert "does not collect data" in proc.stderr and "Traceback" not in proc.stderr
    assert plain.request_stats("1h").collection is None
    plain.delete()


def test_a_sampling_rate_without_collect_data_is_refused(dc_ws: Workspace) -> None:
    with pytest.raises(DataCollectionError, match="needs collect_data=True"):
        dc_ws.deploy("norate", ["linear"], source_dir=src(dc_ws), sampling_rate=0.5)
    assert "norate" not in [r.name for r in dc_ws.store.list_endpoints()]


def test_the_json_lines_format_reads_back_like_parquet(tmp_path: Path) -> None:
    """The runtime's collector alone (the format when pyarrow is missing), on a folder."""
    import fsspec

    from jupyter_mlws.serving.runtime.collector import DataCollector, local_writer

    settings = {"rate": 1.0, "prefix": "collected/lines/m-v1", "format": "jsonl", "flush_s": 60}
    static = {"endpoint": "lines", "generation": 1, "models": ["m:1"]}
    collector = DataCollector(settings, static, local_writer(str(tmp_path)))
    collector.offer("a", b'{"x": [1,\n 2]}', b'{"y": 3}')
    collector.offer("b", b"plain text, not JSON", b'"ok"')
    collector.close()
    files = list(tmp_path.rglob("*.jsonl"))
    assert len(files) == 1 and files[0].parent.parent.parent.parent.parent.name == "m-v1"

    fs = fsspec.filesystem("file")
    now = int(time.time() * 1000)
    records = collection.read_records(fs, str(tmp_path), "lines", now - 60_000, now + 1000)
    assert [(r["request_id"], r["input"], r["output"]) for r in records] == [
        ("a", {"x": [1, 2]}, {"y": 3}),
        ("b", "plain text, not JSON", "ok"),
    ]
    assert records[0]["models"] == ["m:1"] and collector.collected == 2
