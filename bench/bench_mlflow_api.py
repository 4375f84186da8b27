"""The same ``mlflow`` client workload against MLflow's own tracking server and ours.

    python bench/bench_mlflow_api.py [--points 20000] [--runs 10000] [--quick]

Starts ``mlflow server --backend-store-uri sqlite:///…`` (one worker) and a Jupyter
server with the mlws extension, then with one ``MlflowClient`` per server times:
``log_batch`` of ``--points`` metric points (batches of 1,000, MLflow's limit) into one
run; creating ``--runs`` runs each with a metric, a param and a tag; and
``search_runs`` with a filter and an ``order_by`` over those runs (first 1,000).
Target (issue 15): ours >= 3x faster for log_batch and search_runs. ``--quick``:
2,000 points and 300 runs, a smoke run of the script itself.

Measured on the 2-core dev VM (mlflow 3.18.0, ``--runs 1500``, 20,000 points):
log_batch 1.5 s vs 4.5 s (2.9x), create_runs 27.5 s vs 60.1 s (2.2x), search_runs
0.11 s vs 0.33 s (3.0x); ``--quick``: 2.7x, 2.6x, 2.8x.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _common import report

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "server"))
from live_server import live_server

from jupyter_mlws.workspace import Workspace

BATCH = 1000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def mlflow_server(base: Path, timeout_s: float = 180) -> Iterator[str]:
    port = _free_port()
    cmd = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", f"sqlite:///{base / 'mlflow.db'}",
        "--artifacts-destination", str(base / "mlartifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    log = open(base / "mlflow-server.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=base)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError((base / "mlflow-server.log").read_text())
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("mlflow server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(60)
        log.close()


def _seconds(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def workload(uri: str, points: int, runs: int, repeat: int) -> dict[str, float]:
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag

    client = MlflowClient(uri)
    exp = client.create_experiment(f"bench-{time.time_ns()}")
    run_id = client.create_run(exp).info.run_id
    now = int(time.time() * 1000)
    metrics = [Metric("loss", 1.0 / (i + 1), now + i, i) for i in range(points)]

    def log_points() -> None:
        for start in range(0, points, BATCH):
            client.log_batch(run_id, metrics=metrics[start : start + BATCH], synchronous=True)

    out = {"log_batch": _seconds(log_points)}

    def make_runs() -> None:
        for i in range(runs):
            rid = client.create_run(exp).info.run_id
            client.log_batch(
                rid,
                metrics=[Metric("acc", i / runs, now, 0)],
                params=[Param("i", str(i))],
                tags=[RunTag("group", "a" if i % 2 else "b")],
            )

    out["create_runs"] = _seconds(make_runs)
    found: list[Any] = []

    def search() -> None:
        found[:] = client.search_runs(
            [exp], "metrics.acc > 0.5 and tags.group = 'a'", order_by=["metrics.acc DESC"],
            max_results=1000,
        )  # fmt: skip

    out["search_runs"] = statistics.median(_seconds(search) for _ in range(repeat))
    expected = len([i for i in range(runs) if i / runs > 0.5 and i % 2])
    if len(found) != min(expected, 1000):
        raise RuntimeError(f"{uri}: search found {len(found)} runs, expected {expected}")
    history = client.get_metric_history(run_id, "loss")
    if len(history) != points:
        raise RuntimeError(f"{uri}: {len(history)} points stored, expected {points}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.points, args.runs, args.repeat = 2_000, 300, 3
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="mlws-bench-mlflow-") as tmp:
        base = Path(tmp)
        (base / "mlflow").mkdir()
        ws = Workspace.init(base / "ws")
        with mlflow_server(base / "mlflow") as theirs_url, live_server(ws.root, base) as ours:
            os.environ["MLFLOW_TRACKING_TOKEN"] = ours.token  # MLflow's server ignores it
            theirs = workload(theirs_url, args.points, args.runs, args.repeat)
            mine = workload(f"{ours.url}/mlws/mlflow", args.points, args.runs, args.repeat)
    print(f"mlflow client, {args.points:,} points, {args.runs:,} runs")
    rows = []
    for name, target in (("log_batch", 3.0), ("create_runs", None), ("search_runs", 3.0)):
        ratio = theirs[name] / mine[name]
        verdict = f"{ratio:.1f}x" + (f" (target >= {target:.0f}x)" if target else "")
        rows.append((name, f"{mine[name]:.3f} s", f"{theirs[name]:.3f} s mlflow server", verdict))
    report(rows)


if __name__ == "__main__":
    main()
