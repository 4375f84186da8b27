"""Notebook front-door speed, measured on a real kernel (nbclient + ipykernel).

    python bench/bench_magics.py [--points 100000] [--repeat 5] [--files 1000] [--submits 20]

1. A loop logging ``--points`` points in ``%%run --inline`` style (an interactive run of
   the kernel) while ``RunDetails`` of that run is displayed and refreshing, against the
   same loop without the widget: the ratio must stay within 1.10. Two loops: a training
   loop (a small numpy gradient step per point) and a tight loop that only logs (the
   harshest case: nothing but ``run.log``, about a third of a second).
2. ``%%run`` returning control for a cell in a folder of ``--files`` files: the median
   must be at most 300 ms. The anchor is a bare ``ScriptRunConfig`` submit of the same
   folder from the same kernel (the work any submission must do).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import nbformat
from _common import report
from nbclient import NotebookClient

SETUP = """
import json, time
import numpy as np
from IPython.display import display
from jupyter_mlws import Workspace, ScriptRunConfig
from jupyter_mlws.widgets import RunDetails
ws = Workspace.current()
exp = ws.experiment("bench-magics")

rng = np.random.default_rng(0)
X = rng.normal(size=(32, 8))
Y = X @ rng.normal(size=8)

def loop(run, points, train):
    log = run.log
    w = np.zeros(8)
    start = time.perf_counter()
    for i in range(points):
        if train:
            w -= 0.01 * X.T @ (X @ w - Y) / 32
        log("loss", 1.0 / (i + 1))
    run.flush()
    return time.perf_counter() - start

def timed_loop(points, widget, train):
    run = exp.start_logging(kind="interactive")
    view = RunDetails(run) if widget else None
    if view is not None:
        display(view)
    polls = view.refresher.polls if view is not None else 0
    seconds = loop(run, points, train)
    if view is not None:
        polls_during.append(view.refresher.polls - polls)
    run.complete()
    if view is not None:
        view.refresher.join(30)
    return seconds

polls_during = []
"""

WARM_UP = """
timed_loop(2000, True, True); timed_loop(2000, False, True)  # imports, first chart, flush
"""

LOOPS = """
results = {{}}
for train in (True, False):
    times = {{"with": [], "without": [], "polls": []}}
    for _ in range({repeat}):
        for widget in (False, True):
            times["with" if widget else "without"].append(timed_loop({points}, widget, train))
        times["polls"].append(polls_during[-1])
    results["training" if train else "tight"] = times
print("RESULT", json.dumps(results))
"""

SUBMITS = """
%load_ext jupyter_mlws
ip = get_ipython()
magic, anchor = [], []
for i in range({submits}):
    start = time.perf_counter()
    ip.run_cell_magic("run", "-e bench-submit -p i=%d" % i, "x = i * 2")
    magic.append(time.perf_counter() - start)
    _mlws_run.wait_for_completion(timeout=120)  # untimed: no pile-up of runners
    start = time.perf_counter()
    anchor_run = exp.submit(ScriptRunConfig(source_dir=".", script="file_0.py"))
    anchor.append(time.perf_counter() - start)
    anchor_run.wait_for_completion(timeout=120)
print("RESULT", json.dumps({{"magic": magic, "anchor": anchor}}))
"""


def run_cells(cells: list[str], cwd: Path) -> list[dict[str, Any]]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(
        nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute()
    results = []
    for cell in nb.cells:
        for out in cell.outputs:
            if out.output_type == "stream" and "RESULT " in out.text:
                line = next(x for x in out.text.splitlines() if x.startswith("RESULT "))
                results.append(json.loads(line[len("RESULT ") :]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--submits", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlws-bench-magics-") as tmp:
        root = Path(tmp)
        project = root / "project"
        project.mkdir()
        for i in range(args.files):
            (project / f"file_{i}.py").write_text(f"# file {i}\nVALUE = {i}\n" * 20)
        os.environ["MLWS_WORKSPACE"] = str(root / "ws" / ".mlws")
        cells = [
            SETUP,
            WARM_UP,
            textwrap.dedent(LOOPS.format(repeat=args.repeat, points=args.points)),
            SUBMITS.format(submits=args.submits),
        ]
        loops, submits = run_cells(cells, project)
    rows = []
    ok = True
    for kind in ("training", "tight"):
        times = loops[kind]
        with_s, without_s = statistics.median(times["with"]), statistics.median(times["without"])
        ratio = with_s / without_s
        ok = ok and ratio <= 1.10
        print(f"{kind} loop: widget refreshes during each timed loop: {times['polls']}")
        rows.append(
            (
                f"{kind} loop, RunDetails shown",
                f"{with_s * 1000:.0f} ms",
                f"{without_s * 1000:.0f} ms (no widget)",
                f"{ratio:.3f} (target <= 1.10) {'OK' if ratio <= 1.10 else 'MISSED'}",
            )
        )
    magic_ms = statistics.median(submits["magic"]) * 1000
    anchor_ms = statistics.median(submits["anchor"]) * 1000
    ok = ok and magic_ms <= 300
    rows.append(
        (
            "%%run returns control",
            f"{magic_ms:.0f} ms",
            f"{anchor_ms:.0f} ms (bare submit)",
            f"{magic_ms / anchor_ms:.2f}x; target <= 300 ms "
            + ("OK" if magic_ms <= 300 else "MISSED"),
        )
    )
    print(
        f"\n{args.points:,} points per loop, median of {args.repeat}; %%run over "
        f"{args.files:,} files, median of {args.submits} (first call: "
        f"{submits['magic'][0] * 1000:.0f} ms)\n"
    )
    report(rows)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
