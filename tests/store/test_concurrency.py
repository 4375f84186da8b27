"""Many writers at once: separate processes on one SQLite file, threads on one series."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from jupyter_mlws.store import SqlStore, open_store

WORKERS = 8
POINTS_PER_WORKER = 50_000
BATCH = 500

# One writer process: open the store, wait for the starting signal so that all writers
# overlap, then log POINTS_PER_WORKER points in batches (one transaction per batch).
WORKER = """
import sys, time
from pathlib import Path
from jupyter_mlws.store import open_store

url, run_id, worker, total, batch, go = sys.argv[1:]
worker, total, batch = int(worker), int(total), int(batch)
store = open_store(url)
Path(go + f".ready{worker}").touch()
while not Path(go).exists():
    time.sleep(0.01)
for start in range(0, total, batch):
    store.log_metrics(run_id, [
        ("loss", worker * 1e6 + step * 0.5, step, 1_700_000_000_000 + step)
        for step in range(start, min(start + batch, total))
    ])
store.close()
"""


def test_eight_processes_write_into_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    store = open_store(url)
    experiment = store.get_or_create_experiment("parallel")
    run_ids = [store.create_run(experiment.id, kind="script").id for _ in range(WORKERS)]

    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                url,
                run_id,
                str(i),
                str(POINTS_PER_WORKER),
                str(BATCH),
                str(go),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        for i, run_id in enumerate(run_ids)
    ]
    try:
        ready = [tmp_path / f"go.ready{i}" for i in range(WORKERS)]
        while not all(p.exists() for p in ready):
            failed = [p for p in procs if p.poll() not in (None, 0)]
            assert not failed, failed[0].communicate()[1].decode()
            threading.Event().wait(0.02)
        go.touch()
        results = [p.communicate(timeout=240) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()

    errors = [err.decode() for _, err in results]
    assert [p.returncode for p in procs] == [0] * WORKERS, "\n".join(errors)
    assert not any("database is locked" in e for e in errors)

    total = 0
    for i, run_id in enumerate(run_ids):
        series = store.metric_history(run_id, "loss")
        assert series.steps.tolist() == list(range(POINTS_PER_WORKER))
        assert series.values.tolist() == [i * 1e6 + s * 0.5 for s in range(POINTS_PER_WORKER)]
        (latest,) = store.latest_metrics(run_id)
        assert latest.count == POINTS_PER_WORKER and latest.step == POINTS_PER_WORKER - 1
        total += len(series)
    assert total == WORKERS * POINTS_PER_WORKER
    store.close()


def test_sqlite_readers_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    """WAL mode lets readers run while a write transaction is open (a long metric flush
    must not freeze a dashboard), and a reader never holds up a writer."""
    path = tmp_path / "mlws.db"
    store = open_store(f"sqlite:///{path}")
    run = store.create_run(store.get_or_create_experiment("e").id, kind="script")
    store.log_metrics(run.id, [("loss", 1.0, 0, 0)])

    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE runs SET display_name = 'renamed'")
    done = threading.Event()
    seen: list[object] = []

    def read() -> None:
        try:
            seen.append(store.get_run(run.id).display_name)
            seen.append(store.metric_history(run.id, "loss").values.tolist())
        except Exception as exc:
            seen.append(exc)
        done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    finished_while_locked = done.wait(20)
    writer.execute("COMMIT")
    writer.close()
    reader.join(120)
    store.close()

    assert finished_while_locked, "the reader waited for the writer's lock"
    assert seen == ["run-1", [1.0]]  # the last committed state


@pytest.mark.parametrize("threads", [4])
def test_concurrent_writers_to_one_series_lose_nothing(store_url: str, threads: int) -> None:
    """Writers interleave steps of the same metric of the same run (e.g. several
    processes of one job): every point arrives, in order, with a correct count."""
    setup = open_store(store_url)
    run = setup.create_run(setup.get_or_create_experiment("e").id, kind="script")
    batches, per_batch = 40, 5
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def write(k: int) -> None:
        store: SqlStore = open_store(store_url)
        try:
            barrier.wait()
            for b in range(batches):
                steps = [(b * per_batch + j) * threads + k for j in range(per_batch)]
                store.log_metrics(run.id, [("loss", float(s), s, s) for s in steps])
        except BaseException as exc:
            errors.append(exc)
        finally:
            store.close()

    workers = [threading.Thread(target=write, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(240)

    n = threads * batches * per_batch
    try:
        assert errors == []
        series = setup.metric_history(run.id, "loss")
        assert series.steps.tolist() == list(range(n))
        (latest,) = setup.latest_metrics(run.id)
        assert (latest.count, latest.step, latest.min, latest.max) == (n, n - 1, 0.0, n - 1.0)
    finally:
        setup.close()
