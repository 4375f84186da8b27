"""Environment speed, measured side by side in one run.

    python bench/bench_environments.py [--repeat 15] [--skip-build]

1. submit → Running of a script run in a cached environment against the same run with
   ``inherit`` (cold runner on ``local`` both sides, interleaved). Target: ≤ +100 ms.
2. First build of an environment with numpy and scikit-learn against
   ``python -m venv && pip install`` of the same pinned list, package caches warm on both
   sides (each side installs once before it is timed). Target: ≥ 5x faster.
3. ``mlws environment list`` over 1,000 versions (the command in-process, as ``%mlws``
   runs it). Target: ≤ 100 ms. The whole process is shown beside it for reference.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import report, timed

from jupyter_mlws import Environment, ScriptRunConfig, Workspace
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.environments import EnvironmentSpec, registry
from jupyter_mlws.environments.installer import UvInstaller
from jupyter_mlws.environments.prepare import ensure_build

ML_PACKAGES = ["numpy", "scikit-learn"]


def submit_to_running(ws: Workspace, source: Path, environment: str | None) -> float:
    start = time.perf_counter()
    run = ws.experiment("bench-env").submit(
        ScriptRunConfig(source, "noop.py", environment=environment)
    )
    while ws.store.get_run(run.id).status not in (
        RunStatus.RUNNING,
        RunStatus.COMPLETED,
        RunStatus.FAILED,
    ):
        time.sleep(0.002)
    elapsed = time.perf_counter() - start
    run.wait_for_completion()
    return elapsed


def bench_submit(ws: Workspace, root: Path, repeat: int) -> tuple[float, float]:
    os.environ["MLWS_WARM_POOL_SIZE"] = "0"
    source = root / "src"
    source.mkdir()
    (source / "noop.py").write_text("pass\n")
    env = Environment("cached")
    env.pip_packages = ["six==1.16.0"]
    env.register(ws).build_local(ws, log=lambda _t: None)
    submit_to_running(ws, source, "cached")  # first-use costs (imports) out of the way
    ours, inherit = [], []
    for _ in range(repeat):
        ours.append(submit_to_running(ws, source, "cached"))
        inherit.append(submit_to_running(ws, source, None))
    return statistics.median(ours), statistics.median(inherit)


def pinned_ml_list() -> list[str]:
    """The versions uv resolves now, pinned, so that both sides install the same."""
    lines = UvInstaller().resolve(ML_PACKAGES, sys.executable, [], lambda _t: None)
    wanted = {"numpy", "scikit-learn"}
    return [line for line in lines if line.split("==")[0].lower() in wanted]


def ours_first_build(ws: Workspace, cache: Path, pins: list[str], name: str) -> float:
    os.environ["MLWS_ENV_CACHE"] = str(cache)
    version = registry.register(ws.store, name, EnvironmentSpec.build(pins)).version
    seconds, _ = timed(lambda: ensure_build(ws.store, name, version))
    return seconds


def pip_build(folder: Path, pins: list[str]) -> float:
    def build() -> None:
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run(
            [str(folder / "bin/python"), "-m", "pip", "install", "-q", *pins],
            check=True,
            stderr=subprocess.DEVNULL,  # this machine's pip warns about its extra indexes
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )

    seconds, _ = timed(build)
    return seconds


def bench_build(ws: Workspace, root: Path) -> tuple[float, float, list[str]]:
    pins = pinned_ml_list()
    # warm both package caches with one untimed install each
    ours_first_build(ws, root / "warm-cache", pins, "ml-warm")
    pip_build(root / "warm-venv", pins)
    # timed: a first build into an empty build cache / a new venv
    ours = ours_first_build(ws, root / "fresh-cache", pins, "ml")
    anchor = pip_build(root / "fresh-venv", pins)
    return ours, anchor, pins


def bench_list(root: Path, repeat: int) -> tuple[float, float]:
    ws = Workspace.init(root / "listing")
    spec_rows = [EnvironmentSpec.build([f"six=={i}.0"]) for i in range(1000)]
    for i, spec in enumerate(spec_rows):
        ws.store.register_environment(f"env{i % 10}", spec.to_json(), spec.hash)
    assert len(ws.store.list_environments()) == 1000

    from jupyter_mlws.cli.app import cli
    from jupyter_mlws.cli.context import CliContext
    from jupyter_mlws.cli.output import Output

    def in_process() -> None:
        obj = CliContext(workspace_path=str(ws.root), output=Output(io.StringIO()))
        cli.main(["environment", "list"], obj=obj, standalone_mode=False)

    in_process()
    inside = statistics.median(timed(in_process)[0] for _ in range(repeat))
    mlws = str(Path(sys.executable).parent / "mlws")

    def whole() -> None:
        subprocess.run(
            [mlws, "-w", str(ws.root), "environment", "list"],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    process = statistics.median(timed(whole)[0] for _ in range(5))
    return inside, process


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--skip-build", action="store_true", help="skip the numpy/sklearn build")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mlws-bench-env-"))
    os.environ["MLWS_ENV_CACHE"] = str(root / "cache")
    try:
        ws = Workspace.init(root / "proj")
        ours, inherit = bench_submit(ws, root, args.repeat)
        rows = [
            (
                "submit -> Running, cached env vs inherit (median)",
                f"{ours * 1000:.0f} ms",
                f"{inherit * 1000:.0f} ms",
                f"{(ours - inherit) * 1000:+.0f} ms (target <= +100 ms)",
            )
        ]
        if not args.skip_build:
            built, pip_s, pins = bench_build(ws, root)
            rows.append(
                (
                    f"first build {' '.join(pins)} (+ipykernel ours)",
                    f"{built:.1f} s",
                    f"{pip_s:.1f} s venv+pip",
                    f"{pip_s / built:.1f}x faster (target >= 5x)",
                )
            )
        inside, process = bench_list(root, args.repeat)
        rows.append(
            (
                "mlws environment list, 1,000 versions",
                f"{inside * 1000:.0f} ms",
                f"{process * 1000:.0f} ms whole process",
                f"{'ok' if inside <= 0.1 else 'SLOW'} (target <= 100 ms in-process)",
            )
        )
        report(rows)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
