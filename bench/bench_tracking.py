"""Tracking speed against MLflow's SQLite store, measured side by side in one run.

    python bench/bench_tracking.py [--points 1000000] [--runs 100000]

Prints points/s for ``run.log`` vs ``mlflow.log_metric`` and ``MlflowClient.log_batch``,
history and downsample read times, best-50-of-N-runs listing, submit-to-Running latency
and re-snapshot time of an unchanged 10,000-file tree.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _common import report, timed

from jupyter_mlws import ScriptRunConfig, Workspace
from jupyter_mlws.entities import RunStatus, now_ms
from jupyter_mlws.store import schema as t


def bench_log(ws: Workspace, points: int) -> tuple[float, str]:
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


def bench_mlflow_log(root: Path, points: int, batch_points: int) -> tuple[float, float, float]:
    import logging

    import mlflow
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    client = MlflowClient()
    exp_id = client.create_experiment(f"bench-{uuid.uuid4().hex[:6]}")
    with mlflow.start_run(experiment_id=exp_id) as active:
        n_single = 2000
        single_s, _ = timed(
            lambda: [mlflow.log_metric("loss", 1.0 / (i + 1), step=i) for i in range(n_single)]
        )
        run_id = active.info.run_id

        def batches() -> None:
            ts = int(time.time() * 1000)
            for start in range(0, batch_points, 1000):
                client.log_batch(
                    run_id,
                    metrics=[
                        Metric("batched", 1.0 / (i + 1), ts, i) for i in range(start, start + 1000)
                    ],
                )

        batch_s, _ = timed(batches)
    history_s, hist = timed(lambda: client.get_metric_history(run_id, "batched"))
    return n_single / single_s, batch_points / batch_s, history_s / max(len(hist), 1) * 20_000


def seed_runs(ws: Workspace, count: int) -> int:
    """Insert many finished runs with one metric each, in bulk (setup, not measured)."""
    exp = ws.experiment(f"bench-list-{count}")
    now = now_ms()
    with ws.store.write() as conn:
        conn.execute(
            t.runs.insert(),
            [
                {
                    "id": uuid.uuid4().hex,
                    "experiment_id": exp.id,
                    "number": i + 1,
                    "display_name": f"run-{i + 1}",
                    "kind": "script",
                    "status": "Completed",
                    "compute": "local",
                    "definition": "{}",
                    "created_ms": now + i,
                    "updated_ms": now,
                }
                for i in range(count)
            ],
        )
        pks = (
            conn.execute(
                t.runs.select()
                .with_only_columns(t.runs.c.pk)
                .where(t.runs.c.experiment_id == exp.id)
            )
            .scalars()
            .all()
        )
        conn.execute(
            t.metric_series.insert(),
            [
                {
                    "run_pk": pk,
                    "experiment_id": exp.id,
                    "key": "accuracy",
                    "count": 1,
                    "last_step": 0,
                    "last_ts": now,
                    "last_value": (pk * 7919 % 10007) / 10007,
                }
                for pk in pks
            ],
        )
    return exp.id


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--mlflow-batch-points", type=int, default=100_000)
    parser.add_argument("--submits", type=int, default=15)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mlws-bench-"))
    ws = Workspace.init(root / "proj")

    rate, run_id = bench_log(ws, args.points)
    mlflow_single, mlflow_batch, mlflow_20k_read = bench_mlflow_log(
        root, args.points, args.mlflow_batch_points
    )
    history_s, hist = timed(lambda: ws.store.metric_history(run_id, "loss"))
    ws.store.metric_downsampled(run_id, "loss", 2000)  # warm-up: numpy import, page cache
    down_s = statistics.median(
        timed(lambda: ws.store.metric_downsampled(run_id, "loss", 2000))[0] for _ in range(5)
    )
    down = ws.store.metric_downsampled(run_id, "loss", 2000)
    assert len(hist) == args.points and len(down) <= 2000
    list_s = bench_list(ws, seed_runs(ws, args.runs))
    source = root / "src"
    source.mkdir()
    (source / "noop.py").write_text("print('hi')\n")
    submit_cold_s = bench_submit(ws, source, args.submits, agent=False)
    submit_s = bench_submit(ws, source, args.submits, agent=True)
    resnap_s = bench_resnapshot(ws, root)

    n = f"{args.points:,}"
    report(
        [
            (
                f"run.log, {n} points (pts/s)",
                f"{rate:,.0f}",
                f"log_metric {mlflow_single:,.0f}",
                f"{rate / mlflow_single:,.0f}x (target >= 100x; >= 300,000 pts/s)",
            ),
            (
                "  vs MlflowClient.log_batch (pts/s)",
                f"{rate:,.0f}",
                f"{mlflow_batch:,.0f}",
                f"{rate / mlflow_batch:,.1f}x (target >= 10x)",
            ),
            (
                f"read full history, {n} points",
                f"{history_s:.3f} s",
                f"MLflow 20,000 pts ~{mlflow_20k_read:.3f} s",
                "target < 0.5 s",
            ),
            ("downsample to 2,000 points", f"{down_s * 1000:.1f} ms", "-", "target < 50 ms"),
            (
                f"best 50 of {args.runs:,} runs by metric",
                f"{list_s * 1000:.1f} ms",
                "-",
                "target < 50 ms",
            ),
            (
                "submit -> Running, local agent (median)",
                f"{submit_s * 1000:.0f} ms",
                f"cold runner {submit_cold_s * 1000:.0f} ms",
                "target <= 200 ms",
            ),
            ("re-snapshot unchanged 10,000 files", f"{resnap_s:.3f} s", "-", "target <= 0.5 s"),
        ]
    )


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(__file__))
    main()
