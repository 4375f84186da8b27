"""``WarmPool``: processes started ahead of time, each handed exactly one command."""

from __future__ import annotations

import sys
from pathlib import Path

import psutil
from helpers import gone, wait_until

from jupyter_mlws.compute.warm_pool import WarmPool

# A warm command speaking the pool's protocol: ready line, then one JSON job on stdin.
WARM = [
    "{python}",
    "-c",
    (
        "import json, os, sys\n"
        "os.write(1, b'mlws-warm-ready\\n')\n"
        "line = sys.stdin.readline()\n"
        "if not line: sys.exit(0)\n"
        "job = json.loads(line)\n"
        "print('ran', job['argv'][1], os.environ.get('X', '-'), job['env']['X'], os.getpid(),"
        " job['cwd'], flush=True)\n"
    ),
]


def _ready(pool: WarmPool, n: int) -> bool:
    return pool.counts().get(tuple(WARM), 0) == n


def test_each_process_runs_one_command_and_the_pool_refills(tmp_path: Path) -> None:
    pool = WarmPool(2, tmp_path / "warm", env={"PATH": "/usr/bin:/bin"})
    pool.want(WARM)
    wait_until(lambda: _ready(pool, 2), timeout=120)
    pids = []
    for n in range(3):
        proc = pool.launch(WARM, ["{python}", f"job{n}"], tmp_path, {"X": f"x{n}"})
        assert proc is not None and proc.stdout is not None
        words = proc.stdout.read().decode().split()
        proc.wait()
        proc.stdout.close()
        assert proc.stderr is not None
        proc.stderr.close()
        assert words[:4] == ["ran", f"job{n}", "-", f"x{n}"]
        assert words[5] == str(tmp_path)
        pids.append(int(words[4]))
        wait_until(lambda: _ready(pool, 2), timeout=120)
    assert len(set(pids)) == 3  # never reused
    spares = _children_running("mlws-warm-ready")
    assert len(spares) == 2
    pool.close()
    wait_until(lambda: all(gone(pid) for pid in spares), timeout=120)


def test_size_zero_starts_nothing_and_the_caller_goes_cold(tmp_path: Path) -> None:
    pool = WarmPool(0, tmp_path / "warm")
    assert pool.launch(WARM, [sys.executable, "x"], tmp_path, {}) is None
    assert pool.counts() == {}
    pool.close()


def _children_running(marker: str) -> list[int]:
    """This process's live children whose command line contains ``marker`` (a child of
    an earlier test that exited and is not yet reaped is a zombie without a cmdline)."""
    pids = []
    for child in psutil.Process().children():
        try:
            if marker in " ".join(child.cmdline()):
                pids.append(child.pid)
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            continue
    return pids
