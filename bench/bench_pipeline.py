"""Pipelines: a 10-step linear pipeline of trivial scripts, side by side in one run.

    python bench/bench_pipeline.py [--steps 10]

1. Resubmitted with every step reused: submit → Completed          target <= 1 s
   (no step runs: the controller decides each step by its key)
2. Reuse off: per-step overhead beyond the scripts' own time        target <= 200 ms
   anchor: the same scripts run one after another as plain ``python step.py``.
3. 20 independent 1 s steps on a 2-worker Dask cluster               target >= 1.8x
   anchor: the same pipeline on a 1-worker Dask cluster (one step at a time).
   Needs the ``dask`` extra; ``--no-dask`` skips it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import report, timed

from jupyter_mlws import Workspace
from jupyter_mlws.pipeline import Pipeline, PipelineData, PythonScriptStep

STEP = """
import os, sys
out = sys.argv[sys.argv.index("--out") + 1]
previous = sys.argv[sys.argv.index("--in") + 1] if "--in" in sys.argv else None
text = open(os.path.join(previous, "n.txt")).read() if previous else "0"
open(os.path.join(out, "n.txt"), "w").write(str(int(text) + 1))
"""


def linear(ws: Workspace, src: Path, steps: int, reuse: bool) -> Pipeline:
    data = [PipelineData(f"d{i}") for i in range(steps)]
    made = []
    for i in range(steps):
        args: list[object] = ["--out", data[i]]
        if i:
            args += ["--in", data[i - 1]]
        made.append(
            PythonScriptStep(
                "step.py",
                name=f"s{i}",
                source_directory=src,
                inputs=[data[i - 1]] if i else [],
                outputs=[data[i]],
                arguments=args,
                allow_reuse=reuse,
            )
        )
    return Pipeline(ws, made)


SLEEP_STEP = "import time\ntime.sleep(1)\n"


def independent(ws: Workspace, src: Path, steps: int, target: str) -> Pipeline:
    made = [
        PythonScriptStep(
            "sleep.py", name=f"p{i}", source_directory=src, compute_target=target, allow_reuse=False
        )
        for i in range(steps)
    ]
    return Pipeline(ws, made)


def on_dask(ws: Workspace, src: Path, steps: int) -> tuple[float, float]:
    """Seconds for the independent pipeline on a 2-worker and on a 1-worker cluster."""
    from distributed import LocalCluster

    from jupyter_mlws.compute import admin
    from jupyter_mlws.compute.dask_target import close_clients

    (src / "sleep.py").write_text(SLEEP_STEP)
    exp = ws.experiment("bench-dask")
    seconds = []
    for workers in (2, 1):
        with LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster:
            name = f"dask{workers}"
            admin.attach_target(ws, name, cluster.scheduler_address)
            # warm-up: the first submission installs the warm pool on the workers
            exp.submit(independent(ws, src, workers, name)).wait_for_completion(timeout=600)
            pipeline = independent(ws, src, steps, name)
            took, run = timed(
                lambda: exp.submit(pipeline).wait_for_completion(timeout=1200)  # noqa: B023
            )
            assert run["status"] == "Completed"
            seconds.append(took)
            close_clients()
    return seconds[0], seconds[1]


def plain_scripts(src: Path, folder: Path, steps: int) -> None:
    for i in range(steps):
        out = folder / f"d{i}"
        out.mkdir(parents=True, exist_ok=True)
        args = ["--out", str(out)] + (["--in", str(folder / f"d{i - 1}")] if i else [])
        subprocess.run([sys.executable, str(src / "step.py"), *args], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    n = args.steps
    dask: tuple[float, float] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        src = root / "src"
        src.mkdir()
        (src / "step.py").write_text(STEP)
        ws = Workspace.init(root / "proj")
        exp = ws.experiment("bench")
        exp.submit(linear(ws, src, n, reuse=True)).wait_for_completion(timeout=600)
        reused_s, run = timed(
            lambda: exp.submit(linear(ws, src, n, reuse=True)).wait_for_completion(timeout=600)
        )
        assert run["status"] == "Completed"
        off_s, _ = timed(
            lambda: exp.submit(linear(ws, src, n, reuse=False)).wait_for_completion(timeout=600)
        )
        anchor_s, _ = timed(lambda: plain_scripts(src, root / "plain", n))
        if not args.no_dask:
            dask = on_dask(ws, src, 20)
    per_step_ms = (off_s - anchor_s) / n * 1000
    rows = [
        (f"{n} steps all reused: submit → Completed", f"{reused_s:.2f} s", "-", "<= 1 s"),
        (
            f"{n} steps, reuse off: per-step overhead",
            f"{per_step_ms:.0f} ms ({off_s:.2f} s total)",
            f"{anchor_s:.2f} s plain python",
            "<= 200 ms",
        ),
    ]
    if dask is not None:
        two, one = dask
        rows.append(
            (
                "20 independent 1 s steps, 2 Dask workers",
                f"{two:.2f} s",
                f"{one:.2f} s on 1 worker",
                f"{one / two:.2f}x (>= 1.8x)",
            )
        )
    report(rows)


if __name__ == "__main__":
    main()
