"""Pipelines: a 10-step linear pipeline of trivial scripts, side by side in one run.

    python bench/bench_pipeline.py [--steps 10]

1. Resubmitted with every step reused: submit → Completed          target <= 1 s
   (no step runs: the controller decides each step by its key)
2. Reuse off: per-step overhead beyond the scripts' own time        target <= 200 ms
   anchor: the same scripts run one after another as plain ``python step.py``.
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


def plain_scripts(src: Path, folder: Path, steps: int) -> None:
    for i in range(steps):
        out = folder / f"d{i}"
        out.mkdir(parents=True, exist_ok=True)
        args = ["--out", str(out)] + (["--in", str(folder / f"d{i - 1}")] if i else [])
        subprocess.run([sys.executable, str(src / "step.py"), *args], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=10)
    n = parser.parse_args().steps
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
    per_step_ms = (off_s - anchor_s) / n * 1000
    report(
        [
            (f"{n} steps all reused: submit → Completed", f"{reused_s:.2f} s", "-", "<= 1 s"),
            (
                f"{n} steps, reuse off: per-step overhead",
                f"{per_step_ms:.0f} ms ({off_s:.2f} s total)",
                f"{anchor_s:.2f} s plain python",
                "<= 200 ms",
            ),
        ]
    )


if __name__ == "__main__":
    main()
