"""Making a build: resolve a spec to a lock (first build), or install a lock exactly.

``ipykernel`` is added to every build that lacks it, so that notebooks and ``%%run``
cells can use the environment as a kernel. jupyter-mlws itself is not installed:
``_mlws_host.pth`` appends the paths in ``$MLWS_HOST_PATH`` (set by whoever starts a
process in the build, see ``runtime``) *after* the build's own site-packages, so
``from jupyter_mlws import Run`` works and the build's packages always win.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jupyter_mlws.environments import interpreters
from jupyter_mlws.environments.cache import BuildCache
from jupyter_mlws.environments.installer import (
    Log,
    PipInstaller,
    UvInstaller,
    choose,
    fix_shebangs,
    venv_python,
)
from jupyter_mlws.environments.lock import Lock, canonical_name
from jupyter_mlws.environments.spec import EnvironmentSpec

KERNEL_PACKAGE = "ipykernel"
HOST_PTH = "_mlws_host.pth"
ENV_HOST_PATH = "MLWS_HOST_PATH"
# One line: a .pth line starting with "import" is executed at interpreter start-up.
PTH_LINE = (
    "import os, sys; sys.path.extend(p for p in os.environ.get('"
    + ENV_HOST_PATH
    + "', '').split(os.pathsep) if p and p not in sys.path)\n"
)


@dataclass(frozen=True)
class Build:
    path: Path
    lock: Lock

    @property
    def python(self) -> Path:
        return venv_python(self.path)


def python_version(spec: EnvironmentSpec) -> str:
    return spec.python or interpreters.host_version()


def support_requirements(spec: EnvironmentSpec) -> list[str]:
    """What a build needs besides the user's list: ipykernel, and when its python differs
    from the host's (host packages cannot be shared then), jupyter-mlws's own deps."""
    names = {canonical_name(r) for r in spec.requirements}
    extra = [] if KERNEL_PACKAGE in names else [KERNEL_PACKAGE]
    if python_version(spec) != interpreters.host_version():
        for req in importlib.metadata.requires("jupyter-mlws") or []:
            if "extra ==" not in req and canonical_name(req) not in names:
                extra.append(req)
    return extra


def resolve_and_build(spec: EnvironmentSpec, cache: BuildCache, key: str, log: Log) -> Build:
    """First build of a spec: resolve, install, and return the build with its new lock.
    The caller holds ``cache.locked(key)``."""
    python = interpreters.find(spec.python)
    version = python_version(spec)
    requirements = [*spec.requirements, *support_requirements(spec)]
    if choose() == "uv":
        pins = UvInstaller().resolve(requirements, python, spec.index_urls, log)
        return build_locked(Lock.from_lines(version, pins), spec.index_urls, cache, log)
    pip = PipInstaller()
    temp = cache.temp_dir(key)
    try:
        pip.create(temp, python, log)
        pip.install(temp, requirements, spec.index_urls, log)
        lock = Lock.from_lines(version, pip.freeze(temp, log))
        _write_pth(temp)
        with cache.locked(f"lock-{lock.hash}"):
            if not cache.has(lock.hash):
                fix_shebangs(temp, temp, cache.path(lock.hash))
            cache.commit(temp, lock.hash, _meta(lock, "pip", python))
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return Build(cache.path(lock.hash), lock)


def build_locked(lock: Lock, index_urls: Sequence[str], cache: BuildCache, log: Log) -> Build:
    """The build of exactly ``lock`` (``--no-deps``: the lock is the whole closure)."""
    if cache.has(lock.hash):
        cache.touch(lock.hash)
        return Build(cache.path(lock.hash), lock)
    key = f"lock-{lock.hash}"
    with cache.locked(key):
        if cache.has(lock.hash):  # built by whoever held the lock before us
            return Build(cache.path(lock.hash), lock)
        python = interpreters.find(lock.python or None)
        temp = cache.temp_dir(key)
        try:
            tool = choose()
            if tool == "uv":
                uv = UvInstaller()
                uv.create(temp, python, log)
                uv.install_locked(temp, lock.packages, index_urls, log)
            else:
                pip = PipInstaller()
                pip.create(temp, python, log)
                pip.install(temp, lock.packages, index_urls, log, no_deps=True)
                fix_shebangs(temp, temp, cache.path(lock.hash))
            _write_pth(temp)
            cache.commit(temp, lock.hash, _meta(lock, tool, python))
        finally:
            shutil.rmtree(temp, ignore_errors=True)
    return Build(cache.path(lock.hash), lock)


def _write_pth(venv: Path) -> None:
    for site in venv.glob("lib/python*/site-packages"):
        (site / HOST_PTH).write_text(PTH_LINE, encoding="utf-8")


def _meta(lock: Lock, tool: str, python: str) -> dict[str, object]:
    return {"lock": lock.text, "installer": tool, "base_python": python, "built_s": time.time()}
