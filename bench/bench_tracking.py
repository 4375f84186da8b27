"""Tracking speed against MLflow's SQLite store, measured side by side in one run.

    python bench/bench_tracking.py [--points 1000000] [--runs 1000000] [--postgres URL]
    .ci/run --with-postgres .venv/bin/python bench/bench_tracking.py   # with PostgreSQL

Prints points/s for ``run.log`` vs ``mlflow.log_metric`` and ``MlflowClient.log_batch``
(alternating rounds in one run, medians), history and chart-view read times, the best
50 of N runs by a metric on SQLite and PostgreSQL (with how long the bulk seeding
took), submit-to-Running latency and re-snapshot time of an unchanged 10,000-file tree.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from _common import median_of, report, timed
from sqlalchemy import text

from jupyter_mlws import ScriptRunConfig, Workspace
from jupyter_mlws.entities import RunStatus, now_ms


def bench_log(ws: Workspace, points: int) -> tuple[float, str]:
    """``run.log`` in a tight loop, until every point is written (flush included)."""
    exp = ws.experiment("bench-log")
    run = exp.start_logging("tight-loop")

    def loop() -> None:
        log = run.log
        for i in range(points):
            log("loss", 1.0 / (i + 1))
        run.flush()

    seconds, _ = timed(loop)
    run.complete()
    return points / seconds, run.id


class MlflowAnchor:
    """MLflow's SQLite tracking store, the anchor for write and read speeds."""

    def __init__(self, root: Path) -> None:
        import logging

        import mlflow
        from mlflow.tracking import MlflowClient

        logging.getLogger("mlflow").setLevel(logging.ERROR)
        mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
        self.mlflow = mlflow
        self.client = MlflowClient()
        self.exp_id = self.client.create_experiment(f"bench-{uuid.uuid4().hex[:6]}")

    def log_metric(self, n: int) -> float:
        with self.mlflow.start_run(experiment_id=self.exp_id):
            seconds, _ = timed(
                lambda: [self.mlflow.log_metric("loss", 1.0 / (i + 1), step=i) for i in range(n)]
            )
        return n / seconds

    def log_batch(self, n: int) -> tuple[float, str]:
        from mlflow.entities import Metric

        run_id = self.client.create_run(self.exp_id).info.run_id

        def batches() -> None:
            ts = int(time.time() * 1000)
            for start in range(0, n, 1000):
                metrics = [
                    Metric("batched", 1.0 / (i + 1), ts, i) for i in range(start, start + 1000)
                ]
                self.client.log_batch(run_id, metrics=metrics)

        seconds, _ = timed(batches)
        return n / seconds, run_id

    def history_per_point(self, run_id: str) -> float:
        seconds, hist = timed(lambda: self.client.get_metric_history(run_id, "batched"))
        return seconds / max(len(hist), 1)


def bare_loop_rate(points: int) -> float:
    """The same loop with no logging: how fast this (possibly loaded) machine runs Python."""

    def loop() -> None:
        for i in range(points):
            1.0 / (i + 1)

    return points / timed(loop)[0]


def round_trip(ws: Workspace) -> float:
    """Median ``SELECT 1`` through the store's engine: the floor under any query."""

    def once() -> None:
        with ws.store.read() as conn:
            conn.execute(text("SELECT 1")).scalar()

    once()
    return median_of(once, 20)


def seed_runs(ws: Workspace, count: int) -> tuple[int, float]:
    """Insert many finished runs with one metric each, in bulk through the driver
    (executemany on SQLite, COPY on PostgreSQL). Returns the experiment and seconds."""
    exp = ws.experiment(f"bench-list-{count}")
    now = now_ms()
    store = ws.store
    start = time.perf_counter()
    with store.write() as conn:
        first_pk = (conn.execute(text("SELECT COALESCE(MAX(pk), 0) FROM runs")).scalar() or 0) + 1
        runs = (
            (first_pk + i, uuid.uuid4().hex, exp.id, i + 1, f"run-{i + 1}", now + i)
            for i in range(count)
        )
        series = (
            (first_pk + i, exp.id, (((first_pk + i) * 7919) % 10007) / 10007, now)
            for i in range(count)
        )
        raw = conn.connection.driver_connection
        cursor = raw.cursor()  # type: ignore[union-attr]
        if store.is_sqlite:
            cursor.executemany(
                "INSERT INTO runs (pk, id, experiment_id, number, display_name, kind, status, "
                "compute, definition, created_ms, updated_ms) "
                "VALUES (?, ?, ?, ?, ?, 'script', 'Completed', 'local', '{}', ?, ?)",
                ((*r, now) for r in runs),
            )
            cursor.executemany(
                "INSERT INTO metric_series (run_pk, experiment_id, key, count, next_seq, "
                "last_step, last_ts, last_value) VALUES (?, ?, 'accuracy', 1, 0, 0, ?, ?)",
                ((pk, e, now, v) for pk, e, v, _ in series),
            )
        else:
            with cursor.copy(
                "COPY runs (pk, id, experiment_id, number, display_name, kind, status, compute, "
                "definition, created_ms, updated_ms) FROM STDIN"
            ) as copy:
                for r in runs:
                    copy.write_row((*r[:5], "script", "Completed", "local", "{}", r[5], now))
            with cursor.copy(
                "COPY metric_series (run_pk, experiment_id, key, count, next_seq, last_step, "
                "last_ts, last_value) FROM STDIN"
            ) as copy:
                for pk, e, v, _ in series:
                    copy.write_row((pk, e, "accuracy", 1, 0, 0, now, v))
            cursor.execute("SELECT setval('runs_pk_seq', (SELECT MAX(pk) FROM runs))")
            cursor.execute("ANALYZE runs")
            cursor.execute("ANALYZE metric_series")
        cursor.close()
    return exp.id, time.perf_counter() - start


def bench_list(ws: Workspace, exp_id: int) -> float:
    def page() -> None:
        records, _ = ws.store.list_runs(exp_id, sort_by="metric:accuracy", limit=50)
        assert len(records) == 50

    page()
    return statistics.median(timed(page)[0] for _ in range(20))


def bench_submit(ws: Workspace, source: Path, repeat: int, agent: bool) -> float:
    """Median submit -> Running; with the local agent (warmed by one run first) or cold."""
    from jupyter_mlws.compute import local_agent

    os.environ[local_agent.ENV_POOL_SIZE] = "1" if agent else "0"
    exp = ws.experiment("bench-submit")
    latencies = []
    for i in range(repeat + (2 if agent else 0)):
        start = time.perf_counter()
        run = exp.submit(ScriptRunConfig(source_dir=source, script="noop.py"))
        while ws.store.get_run(run.id).status not in (
            RunStatus.RUNNING,
            RunStatus.COMPLETED,
            RunStatus.FAILED,
        ):
            time.sleep(0.002)
        if not agent or i >= 2:  # the first runs start the agent
            latencies.append(time.perf_counter() - start)
        run.wait_for_completion()
        if agent and i == 0:
            while local_agent.status(ws) is None:
                time.sleep(0.05)
    if agent:
        local_agent.stop(ws)
    return statistics.median(latencies)


def bench_resnapshot(ws: Workspace, root: Path) -> float:
    from jupyter_mlws.artifacts import take_snapshot

    tree = root / "tree"
    for i in range(10_000):
        folder = tree / f"d{i % 100}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"f{i}.py"
        path.write_text(f"x = {i}\n")
        # An existing project: files edited moments ago are re-hashed on purpose (a
        # same-second edit could hide behind an unchanged size and mtime).
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    cache = ws.cache_dir / "bench-stat-cache.db"
    take_snapshot(tree, ws.blobs, limits=ws.config.snapshot, cache_path=cache)
    seconds, _ = timed(
        lambda: take_snapshot(tree, ws.blobs, limits=ws.config.snapshot, cache_path=cache)
    )
    return seconds


def postgres_workspace(root: Path, server_url: str) -> tuple[Workspace, Callable[[], None]]:
    """A workspace on a fresh database of this PostgreSQL server, and how to drop it."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    name = f"mlws_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    ws = Workspace.init(root / "pg", db_url=url)

    def drop() -> None:
        ws.store.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()

    return ws, drop


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds, medians")
    parser.add_argument("--mlflow-batch-points", type=int, default=100_000)
    parser.add_argument("--submits", type=int, default=15)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("MLWS_TEST_POSTGRES_URL"),
        help="PostgreSQL server URL for the run-list row (default: $MLWS_TEST_POSTGRES_URL)",
    )
    parser.add_argument("--skip-submit", action="store_true", help="only the store rows")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mlws-bench-"))
    ws = Workspace.init(root / "proj")
    anchor = MlflowAnchor(root)

    # Side by side: ours and MLflow's log_batch alternate, so load on the machine
    # falls on both alike; the medians are compared.
    rates, batch_rates, loop_rates, run_id, mlflow_run = [], [], [], "", ""
    for _ in range(args.rounds):
        rate, run_id = bench_log(ws, args.points)
        rates.append(rate)
        batch, mlflow_run = anchor.log_batch(args.mlflow_batch_points)
        batch_rates.append(batch)
        loop_rates.append(bare_loop_rate(args.points))
    rate, mlflow_batch = statistics.median(rates), statistics.median(batch_rates)
    loop_rate = statistics.median(loop_rates)
    mlflow_single = anchor.log_metric(2000)
    mlflow_per_point = anchor.history_per_point(mlflow_run)

    ws.store.metric_history(run_id, "loss")  # warm-up: page cache
    history_s = median_of(lambda: ws.store.metric_history(run_id, "loss"), 5)
    hist = ws.store.metric_history(run_id, "loss")
    ws.store.metric_downsampled(run_id, "loss", 2000)
    down_s = median_of(lambda: ws.store.metric_downsampled(run_id, "loss", 2000), 5)
    down = ws.store.metric_downsampled(run_id, "loss", 2000)
    assert len(hist) == args.points and len(down) <= 2000

    exp_id, seed_s = seed_runs(ws, args.runs)
    list_s = bench_list(ws, exp_id)
    pg_row: tuple[str, str, str, str] | None = None
    if args.postgres:
        pg_ws, drop = postgres_workspace(root, args.postgres)
        try:
            pg_exp, pg_seed_s = seed_runs(pg_ws, args.runs)
            pg_list_s = bench_list(pg_ws, pg_exp)
            pg_rtt = round_trip(pg_ws)
        finally:
            drop()
        pg_row = (
            f"  same on PostgreSQL (seeded in {pg_seed_s:.1f} s)",
            f"{pg_list_s * 1000:.1f} ms",
            f"one round trip {pg_rtt * 1000:.1f} ms",
            "target <= 50 ms",
        )

    n = f"{args.points:,}"
    rows = [
        (
            f"run.log, {n} points (pts/s, median of {args.rounds})",
            f"{rate:,.0f}",
            f"log_metric {mlflow_single:,.0f}",
            f"{rate / mlflow_single:,.0f}x (target >= 1,000,000 pts/s)",
        ),
        (
            "  the same loop without logging (pts/s)",
            f"{loop_rate:,.0f}",
            "-",
            f"logging costs {loop_rate / rate:.1f}x the bare loop (machine speed)",
        ),
        (
            "  vs MlflowClient.log_batch (pts/s)",
            f"{rate:,.0f}",
            f"{mlflow_batch:,.0f}",
            f"{rate / mlflow_batch:,.1f}x (target >= 150x)",
        ),
        (
            f"read full history, {n} points",
            f"{history_s * 1000:.1f} ms",
            f"MLflow ~{mlflow_per_point * args.points:.1f} s for {n}",
            f"{mlflow_per_point * args.points / history_s:,.0f}x (target <= 100 ms)",
        ),
        (
            "chart view: downsample to 2,000 points",
            f"{down_s * 1000:.1f} ms",
            "-",
            "target <= 20 ms",
        ),
        (
            f"best 50 of {args.runs:,} runs by metric, SQLite (seeded in {seed_s:.1f} s)",
            f"{list_s * 1000:.1f} ms",
            "-",
            "target <= 50 ms",
        ),
    ]
    if pg_row:
        rows.append(pg_row)
    if not args.skip_submit:
        source = root / "src"
        source.mkdir()
        (source / "noop.py").write_text("print('hi')\n")
        submit_cold_s = bench_submit(ws, source, args.submits, agent=False)
        submit_s = bench_submit(ws, source, args.submits, agent=True)
        resnap_s = bench_resnapshot(ws, root)
        rows += [
            (
                "submit -> Running, local agent (median)",
                f"{submit_s * 1000:.0f} ms",
                f"cold runner {submit_cold_s * 1000:.0f} ms",
                "target <= 200 ms",
            ),
            ("re-snapshot unchanged 10,000 files", f"{resnap_s:.3f} s", "-", "target <= 0.5 s"),
        ]
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    report(rows)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
