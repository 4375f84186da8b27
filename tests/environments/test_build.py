"""Builds: cached by lock hash, one build for concurrent users, never a partial one,
and the pip fallback when uv is absent. Real installs from the package index."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jupyter_mlws import Environment, Workspace
from jupyter_mlws.environments import EnvironmentSpec, registry
from jupyter_mlws.environments.cache import META, BuildCache
from jupyter_mlws.environments.installer import ENV_INSTALLER
from jupyter_mlws.environments.lock import Lock
from jupyter_mlws.environments.prepare import ensure_build


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BuildCache:
    monkeypatch.setenv("MLWS_ENV_CACHE", str(tmp_path / "envcache"))
    return BuildCache()


def six(ws: Workspace, name: str = "six", extra: dict[str, str] | None = None) -> int:
    spec = EnvironmentSpec.build(["six==1.16.0"], env_vars=extra or {})
    return registry.register(ws.store, name, spec).version


def test_versions_with_the_same_lock_share_one_build_and_the_lock_never_changes(
    ws: Workspace, cache: BuildCache
) -> None:
    one, two = six(ws), six(ws, extra={"X": "1"})
    env1, build1 = ensure_build(ws.store, "six", one)
    env2, build2 = ensure_build(ws.store, "six", two)
    assert build1.path == build2.path and env1.lock_hash == env2.lock_hash
    assert [b.lock_hash for b in cache.builds()] == [env1.lock_hash]
    assert env1.state == "Ready" and env1.size_bytes and env1.size_bytes > 0
    # a lock is set once: another resolution does not replace it
    assert ws.store.set_environment_lock("six", one, "# python 3.11\nsix==1.15.0\n", "x") == (
        env1.lock_hash
    )


def test_a_pruned_build_is_rebuilt_from_the_lock(ws: Workspace, cache: BuildCache) -> None:
    version = six(ws)
    env, build = ensure_build(ws.store, "six", version)
    removed = cache.prune(older_than_days=None, max_bytes=0)
    assert [b.lock_hash for b in removed] == [env.lock_hash] and not build.path.exists()
    log: list[str] = []
    again, rebuilt = ensure_build(ws.store, "six", version, log.append)
    assert rebuilt.path == build.path and rebuilt.python.exists()
    assert "from its lock" in "".join(log)
    assert again.lock == env.lock


def test_a_killed_build_is_never_used_and_is_cleaned_up(ws: Workspace, cache: BuildCache) -> None:
    version = six(ws)
    env, build = ensure_build(ws.store, "six", version)
    assert env.lock is not None
    lock = Lock.parse(env.lock)
    cache.remove(lock.hash)
    # what a build killed half-way leaves: its temp folder, never renamed
    leftover = cache.root / f".tmp-lock-{lock.hash}-dead0000"
    (leftover / "bin").mkdir(parents=True)
    # and a folder at the final name without the completion marker is not a build
    build.path.mkdir()
    assert not cache.has(lock.hash)
    _, rebuilt = ensure_build(ws.store, "six", version)
    assert (rebuilt.path / META).is_file() and rebuilt.python.exists()
    assert not leftover.exists()


CONCURRENT = """
import sys
from jupyter_mlws import Workspace
from jupyter_mlws.environments.prepare import ensure_build
ws = Workspace.open(sys.argv[1])
lines = []
env, build = ensure_build(ws.store, "six", 1, lines.append)
print("BUILT" if any("uv venv" in l or "-m venv" in l for l in lines) else "WAITED")
print(build.path)
"""


def test_two_processes_needing_the_same_build_start_one_build(
    ws: Workspace, cache: BuildCache, tmp_path: Path
) -> None:
    six(ws)
    script = tmp_path / "build_twice.py"
    script.write_text(textwrap.dedent(CONCURRENT))
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(ws.root)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sorted(o[0] for o in outputs) == ["BUILT", "WAITED"]
    assert outputs[0][1] == outputs[1][1]
    assert len(cache.builds()) == 1


def test_without_uv_the_build_uses_venv_and_pip(
    ws: Workspace, cache: BuildCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_INSTALLER, "pip")
    version = six(ws)
    log: list[str] = []
    env, build = ensure_build(ws.store, "six", version, log.append)
    text = "".join(log)
    assert "-m venv" in text and "pip install" in text and "uv" not in text.split("(")[1][:3]
    assert env.lock is not None and "six==1.16.0" in env.lock.splitlines()
    out = subprocess.run(
        [str(build.python), "-c", "import six; print(six.__version__)"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert out.stdout.strip() == "1.16.0"
    # entry points name the final folder, not the temporary one
    head = "\n".join((build.python.parent / "ipython").read_text().splitlines()[:3])
    assert str(build.python) in head and ".tmp-" not in head
    launched = subprocess.run(
        [str(build.python.parent / "ipython"), "--version"], capture_output=True, text=True
    )
    assert launched.returncode == 0, launched.stderr


def test_environment_build_local(ws: Workspace, cache: BuildCache) -> None:
    env = Environment("local")
    env.pip_packages = ["six==1.16.0"]
    build = env.build_local(ws, log=lambda _text: None)
    assert build.python.exists()
    assert Environment.get(ws, "local").state == "Ready"
