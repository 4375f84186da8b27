"""REST API speed of the ``mlws`` server extension, over HTTP to a real Jupyter server.

    python bench/bench_server.py [--runs 100000] [--points 100000] [--repeat 50]

Targets (issue 10): the server never blocks: p99 of Jupyter's own ``GET /api/status``
while 20 clients submit runs of a 2,000-file folder is <= 50 ms and <= 3x its idle p99
(``--only-status`` measures just that).

Targets (issue 5): the runs list (first page of an experiment with 100,000 runs, sorted
by a metric) answers in p50 < 50 ms; a run's chart data (100,000 points downsampled to
2,000) in p50 < 50 ms. The MLflow anchor for listing runs by a metric (store level) is in
bench_tracking.py; this script measures what the browser sees: HTTP through Jupyter.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from _common import report
from bench_tracking import seed_runs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "server"))
from live_server import LiveServer, live_server

from jupyter_mlws.workspace import Workspace


class Client:
    """One keep-alive connection, like a browser tab polling the API."""

    def __init__(self, server: LiveServer) -> None:
        parts = urlsplit(server.url)
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
        self.headers = server.headers

    def get(self, path: str, **query: object) -> tuple[float, dict[str, object]]:
        url = f"/mlws/api/v1/{path}" + (f"?{urlencode(query)}" if query else "")
        start = time.perf_counter()
        self.conn.request("GET", url, headers=self.headers)
        reply = self.conn.getresponse()
        body = reply.read()
        elapsed = time.perf_counter() - start
        if reply.status != 200:
            raise RuntimeError(f"GET {url}: {reply.status} {body[:300]!r}")
        return elapsed, json.loads(body)

    def post(self, path: str, body: dict[str, object]) -> int:
        headers = {**self.headers, "Content-Type": "application/json"}
        self.conn.request("POST", f"/mlws/api/v1/{path}", body=json.dumps(body), headers=headers)
        reply = self.conn.getresponse()
        reply.read()
        return reply.status

    def status_s(self) -> float:
        """One ``GET /api/status`` (Jupyter's own handler: it waits only for the loop)."""
        start = time.perf_counter()
        self.conn.request("GET", "/api/status", headers=self.headers)
        reply = self.conn.getresponse()
        reply.read()
        if reply.status != 200:
            raise RuntimeError(f"GET /api/status: {reply.status}")
        return time.perf_counter() - start


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


def status_samples(server: LiveServer, count: int) -> list[float]:
    client = Client(server)
    client.status_s()
    samples = []
    for _ in range(count):
        samples.append(client.status_s())
        time.sleep(0.01)  # a sampler, not a load
    return samples


def make_project(root: Path, files: int) -> str:
    """A folder of ``files`` small files with a script at its top; its path under root."""
    project = root / "bench-project"
    for i in range(files):
        sub = project / f"pkg{i % 40}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"mod{i}.py").write_text(f"VALUE = {i}\n" * 8)
    (project / "train.py").write_text("print('hello')\n")
    return "bench-project/train.py"


def submit_clients(
    server: LiveServer, body: dict[str, object], clients: int, stop: Any, ready: Any, count: Any
) -> None:
    """``clients`` threads, each submitting runs back to back until ``stop``."""
    done = [0] * clients
    failed: list[int] = []

    def loop(slot: int) -> None:
        client = Client(server)
        while not stop.is_set():
            status = client.post("runs", body)
            if status != 201:
                failed.append(status)
                stop.set()
            done[slot] += 1
            if min(done) > 0:
                ready.set()  # every client is in its stride

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count.value = sum(done)
    if failed:
        raise SystemExit(f"POST /runs answered {failed[0]}")


def status_while_submitting(
    ws: Workspace, base: Path, submitters: int, files: int, samples: int
) -> tuple[float, float, int]:
    """(idle p99, p99 under ``submitters`` clients submitting, runs submitted)."""
    from jupyter_mlws.compute import admin

    # a managed cluster that is never started: runs wait in Queued, so the machine
    # spends itself on submissions (snapshots, writes), not on running them
    admin.create_target(ws, "parked", "dask")
    with live_server(ws.root, base / "server-status") as server:
        script = make_project(server.root_dir, files)
        body = {"path": script, "experiment": "bench-submit", "compute": "parked"}
        if Client(server).post("runs", body) != 201:  # first snapshot stores the blobs
            raise RuntimeError("POST /runs failed")
        idle = status_samples(server, samples)
        # the submitting clients live in another process, so that their threads do not
        # compete with the sampler for this process's GIL
        context = multiprocessing.get_context("spawn")
        stop, ready, count = context.Event(), context.Event(), context.Value("i", 0)
        clients = context.Process(
            target=submit_clients, args=(server, body, submitters, stop, ready, count)
        )
        clients.start()
        try:
            if not ready.wait(300):
                raise RuntimeError("the submitting clients did not get going")
            loaded = status_samples(server, samples)
        finally:
            stop.set()
            clients.join()
        if clients.exitcode != 0:
            raise RuntimeError("a submitting client failed")
        submitted = [count.value]
    return p99(idle), p99(loaded), sum(submitted)


def p50(client: Client, repeat: int, path: str, **query: object) -> float:
    client.get(path, **query)  # warm caches, as a second page view would
    return statistics.median(client.get(path, **query)[0] for _ in range(repeat))


def in_process_p50(
    ws: Workspace, exp_id: int, run_id: str, repeat: int, max_points: int
) -> tuple[float, float]:
    """The same two calls without HTTP: what the handlers cost inside the server."""
    from jupyter_mlws.server.service import MlwsService, RunQuery, ServiceSettings

    service = MlwsService(ws, ServiceSettings(root_dir=Path.cwd()))
    query = RunQuery(experiment=str(exp_id), sort="metric:accuracy", limit=50)

    def timed_json(fn: object) -> float:
        start = time.perf_counter()
        json.dumps(fn())  # type: ignore[operator]
        return time.perf_counter() - start

    timed_json(lambda: service.list_runs(query))
    listing = statistics.median(timed_json(lambda: service.list_runs(query)) for _ in range(repeat))
    chart = statistics.median(
        timed_json(lambda: service.metric_history(run_id, "loss", max_points))
        for _ in range(repeat)
    )
    return listing, chart


def seed_curve(ws: Workspace, points: int) -> str:
    run = ws.experiment("bench-chart").start_logging("curve")
    ws.store.log_metrics(
        run.id, [("loss", 1.0 / (i + 1) + (i % 97) * 1e-4, i, 1_000 + i) for i in range(points)]
    )
    run.complete()
    return run.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--max-points", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--submitters", type=int, default=20)
    parser.add_argument("--files", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--only-status", action="store_true", help="Only the blocking bench.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mlws-bench-server-") as tmp:
        base = Path(tmp)
        ws = Workspace.init(base / "ws")
        idle_p99, loaded_p99, submitted = status_while_submitting(
            ws, base, args.submitters, args.files, args.samples
        )
        ratio = loaded_p99 / idle_p99
        ok = loaded_p99 * 1000 <= 50 and ratio <= 3
        report(
            [
                ("GET /api/status idle (p99)", f"{idle_p99 * 1000:.1f} ms", "-", ""),
                (
                    f"GET /api/status, {args.submitters} clients submitting "
                    f"{args.files:,}-file runs (p99)",
                    f"{loaded_p99 * 1000:.1f} ms",
                    f"idle {idle_p99 * 1000:.1f} ms",
                    f"{ratio:.2f}x idle; target <= 50 ms and <= 3x: {'ok' if ok else 'MISSED'}",
                ),
                ("  runs submitted meanwhile", f"{submitted:,}", "-", ""),
            ]
        )
        if args.only_status:
            print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            return
        started = time.perf_counter()
        exp_id = seed_runs(ws, args.runs)
        run_id = seed_curve(ws, args.points)
        print(
            f"seeded {args.runs:,} runs and {args.points:,} points in "
            f"{time.perf_counter() - started:.1f} s"
        )
        with live_server(ws.root, base / "server") as server:
            client = Client(server)
            _, page = client.get(
                "runs", experiment=exp_id, sort="metric:accuracy", order="desc", limit=50
            )
            assert len(page["runs"]) == 50 and page["next_page_token"]  # type: ignore[arg-type]
            list_s = p50(
                client,
                args.repeat,
                "runs",
                experiment=exp_id,
                sort="metric:accuracy",
                order="desc",
                limit=50,
            )
            newest_s = p50(client, args.repeat, "runs", experiment=exp_id, limit=50)
            _, series = client.get(
                f"runs/{run_id}/metrics/history", key="loss", max_points=args.max_points
            )
            assert len(series["steps"]) <= args.max_points  # type: ignore[arg-type]
            chart_s = p50(
                client,
                args.repeat,
                f"runs/{run_id}/metrics/history",
                key="loss",
                max_points=args.max_points,
            )
            cursor_s = p50(client, args.repeat, "changes")
        list_in, chart_in = in_process_p50(ws, exp_id, run_id, args.repeat, args.max_points)

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.1f} ms"

    def verdict(seconds: float, target_ms: float) -> str:
        return f"target < {target_ms:.0f} ms: {'ok' if seconds * 1000 < target_ms else 'MISSED'}"

    report(
        [
            (
                f"GET runs, best 50 of {args.runs:,} by metric (p50)",
                ms(list_s),
                "-",
                verdict(list_s, 50),
            ),
            (
                f"GET runs, newest 50 of {args.runs:,} (p50)",
                ms(newest_s),
                "-",
                verdict(newest_s, 50),
            ),
            (
                f"GET metric history {args.points:,} → {args.max_points:,} points (p50)",
                ms(chart_s),
                "-",
                verdict(chart_s, 50),
            ),
            ("GET changes (live cursor, p50)", ms(cursor_s), "-", "polled every second"),
            ("  in process: runs list by metric + JSON (p50)", ms(list_in), "-", ""),
            ("  in process: chart data + JSON (p50)", ms(chart_in), "-", ""),
        ]
    )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
