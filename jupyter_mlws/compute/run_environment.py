"""A run's environment, made ready in its Preparing state.

A run definition may name ``{"name", "version"}`` of a registered environment. The
runner builds it (output streamed into the run's log, as Azure's image build), records
the lock hash as a run property, and then starts the run's command in the build:
scripts and cells with the build's python; notebooks keep papermill in the runner's
python and start their kernel (``mlws-env``) in the build.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jupyter_mlws.environments import registry
from jupyter_mlws.environments.cache import BuildCache
from jupyter_mlws.environments.prepare import ensure_build
from jupyter_mlws.environments.runtime import kernel_dir, process_env
from jupyter_mlws.store import SqlStore

PROPERTY = "mlws.environment"
LOCK_PROPERTY = "mlws.environment.lock_hash"


@dataclass
class RunEnvironment:
    python: str = sys.executable
    env: dict[str, str] = field(default_factory=dict)
    warm_args: list[str] = field(default_factory=list)  # appended to the warm spec


def definition_entry(env: registry.EnvironmentVersion | None) -> dict[str, Any]:
    """What a run config puts into the run's definition and properties."""
    if env is None:
        return {}
    return {"name": env.name, "version": env.version}


def prepare(
    store: SqlStore, run_id: str, definition: Mapping[str, Any], log: Callable[[str], None]
) -> RunEnvironment:
    entry = definition.get("environment")
    if not entry:
        return RunEnvironment()
    env, build = ensure_build(store, str(entry["name"]), int(entry["version"]), log)
    store.set_properties(run_id, {LOCK_PROPERTY: build.lock.hash})
    cache = BuildCache()
    extra = process_env(build, env.spec, cache)
    if definition.get("kernel_name") is not None:  # a notebook: the kernel runs in the build
        folder = str(kernel_dir(build, env.spec, cache))
        return RunEnvironment(
            env={"JUPYTER_PATH": folder, **env.spec.env_vars},
            warm_args=["--jupyter-path", folder],
        )
    return RunEnvironment(python=str(build.python), env=extra)
