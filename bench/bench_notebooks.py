"""Notebook-run speed against papermill, measured side by side in one run.

    python bench/bench_notebooks.py [--repeat 15] [--fan-out 50]

1. A trivial parameterized notebook, submit → Completed on ``local`` with the warm
   pool (the pool is given time to refill between runs, as between a user's
   submissions), against the papermill CLI and papermill in-process with a fresh kernel.
   Target: median ≤ 0.35 s.
2. ``--fan-out`` short notebook runs on a managed 2-worker Dask cluster against the same
   number run one after another with the papermill CLI. Target: ≥ 1.8x faster.
3. Submit latency to the running Dask cluster (the submissions of 2). Target: ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from _common import report, timed

from jupyter_mlws import NotebookRunConfig, Run, Workspace
from jupyter_mlws.compute import admin, local_agent
from jupyter_mlws.compute.dask_target import client_for, close_clients
from jupyter_mlws.entities import RunStatus


def trivial_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("x = 1\nname = 'a'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("y = x * 2\nprint(name, y)")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "trivial.ipynb"
    nbformat.write(nb, path)
    return path


def wait_completed(run: Run, poll: float = 0.005) -> None:
    while True:
        status = run.workspace.store.get_run(run.id).status
        if status.is_terminal:
            if status is not RunStatus.COMPLETED:
                raise SystemExit(f"run {run.id} ended {status}: {run.refresh().error}")
            return
        time.sleep(poll)


def warm_ready(ws: Workspace) -> int:
    return sum((local_agent.status(ws) or {}).get("warm_ready", {}).values())


def bench_local(ws: Workspace, notebook: Path, repeat: int) -> list[float]:
    exp = ws.experiment("bench-local")
    times: list[float] = []
    for i in range(repeat + 1):
        deadline = time.monotonic() + 60
        while i and warm_ready(ws) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)  # the pool refills between submissions
        seconds, _ = timed(
            lambda i=i: wait_completed(
                exp.submit(NotebookRunConfig(notebook, parameters={"x": i, "name": "bench"}))
            )
        )
        if i:  # the first run starts the agent and is cold
            times.append(seconds)
    return times


def papermill_cli(notebook: Path, out: Path, value: int) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            str(notebook),
            str(out),
            "-p",
            "x",
            str(value),
            "--no-progress-bar",
            "-k",
            "python3",
        ],
        check=True,
        capture_output=True,
    )


def bench_papermill_cli(notebook: Path, out_dir: Path, repeat: int) -> list[float]:
    return [
        timed(lambda i=i: papermill_cli(notebook, out_dir / f"cli{i}.ipynb", i))[0]
        for i in range(repeat)
    ]


def bench_papermill_inprocess(notebook: Path, out_dir: Path, repeat: int) -> list[float]:
    import papermill

    def once(i: int) -> None:
        papermill.execute_notebook(
            str(notebook),
            str(out_dir / f"inproc{i}.ipynb"),
            parameters={"x": i},
            progress_bar=False,
            kernel_name="python3",
        )

    once(-1)  # imports and first-use costs are not the kernel's
    return [timed(lambda i=i: once(i))[0] for i in range(repeat)]


def bench_dask(ws: Workspace, notebook: Path, count: int) -> tuple[float, list[float]]:
    admin.create_target(ws, "bench", min_nodes=2, max_nodes=2, warm_pool_size=2)
    state = admin.start_target(ws, "bench")["state"]
    client = client_for(state["address"])
    client.wait_for_workers(2, timeout=120)
    exp = ws.experiment("bench-dask")
    for i in range(4):  # warm-up: client connection, worker imports, warm pools
        wait_completed(
            exp.submit(NotebookRunConfig(notebook, parameters={"x": i}, compute="bench"))
        )
    time.sleep(8)  # let the warm pools fill
    submits: list[float] = []
    runs: list[Run] = []
    start = time.perf_counter()
    for i in range(count):
        seconds, run = timed(
            lambda i=i: exp.submit(
                NotebookRunConfig(notebook, parameters={"x": i}, compute="bench")
            )
        )
        submits.append(seconds)
        runs.append(run)
    for run in runs:
        wait_completed(run, poll=0.05)
    total = time.perf_counter() - start
    close_clients()
    admin.stop_target(ws, "bench")
    return total, submits


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--fan-out", type=int, default=50)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mlws-bench-nb-"))
    os.environ[local_agent.ENV_POOL_SIZE] = "1"
    try:
        ws = Workspace.init(root / "proj")
        notebook = trivial_notebook(root / "src")
        out = root / "out"
        out.mkdir()
        ours = statistics.median(bench_local(ws, notebook, args.repeat))
        local_agent.stop(ws)
        cli = statistics.median(bench_papermill_cli(notebook, out, max(5, args.repeat // 2)))
        inproc = statistics.median(
            bench_papermill_inprocess(notebook, out, max(5, args.repeat // 2))
        )
        dask_total, submits = bench_dask(ws, notebook, args.fan_out)
        sequential, _ = timed(
            lambda: [papermill_cli(notebook, out / f"seq{i}.ipynb", i) for i in range(args.fan_out)]
        )
        submit_median = statistics.median(submits)
        report(
            [
                (
                    "local submit→Completed, warm (median)",
                    f"{ours:.3f} s",
                    "target ≤ 0.35 s",
                    "OK" if ours <= 0.35 else "MISSED",
                ),
                (
                    "  vs papermill CLI (median)",
                    f"{ours:.3f} s",
                    f"{cli:.3f} s",
                    f"{cli / ours:.2f}x faster",
                ),
                (
                    "  vs papermill in-process, fresh kernel",
                    f"{ours:.3f} s",
                    f"{inproc:.3f} s",
                    f"{inproc / ours:.2f}x faster",
                ),
                (
                    f"{args.fan_out} runs, 2-worker Dask vs sequential CLI",
                    f"{dask_total:.1f} s",
                    f"{sequential:.1f} s",
                    f"{sequential / dask_total:.2f}x (target ≥ 1.8x)",
                ),
                (
                    "submit latency to running Dask (median)",
                    f"{submit_median * 1000:.0f} ms",
                    "target ≤ 100 ms",
                    "OK" if submit_median <= 0.1 else "MISSED",
                ),
            ]
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
