"""The interpreter an endpoint's service runs in: this one (inherit), or an
environment's build (built now if this machine's cache lacks it; same lock always)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from jupyter_mlws.environments import EnvironmentVersion
from jupyter_mlws.environments.cache import BuildCache
from jupyter_mlws.environments.prepare import ensure_build
from jupyter_mlws.environments.runtime import process_env
from jupyter_mlws.store import SqlStore


def entry(env: EnvironmentVersion | None) -> dict[str, Any] | None:
    return {"name": env.name, "version": env.version} if env is not None else None


def service_python(
    store: SqlStore, environment: Mapping[str, Any] | None, package_root: str
) -> tuple[str, dict[str, str]]:
    """(python, environment variables to add) for the service process."""
    if not environment:
        # The service runs the very jupyter_mlws this process runs, installed or not.
        path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
        return sys.executable, {"PYTHONPATH": path}
    env, build = ensure_build(store, str(environment["name"]), int(environment["version"]))
    # No PYTHONPATH: it would put host packages before the build's own. The build's
    # .pth appends jupyter_mlws (and the serving extra, same python) after them.
    return str(build.python), process_env(build, env.spec, BuildCache())
