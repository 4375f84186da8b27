"""Getting the build of a registered version, building it if needed (a run's Preparing).

The first build of a version resolves its spec and records the lock; every later build
of that version, on any machine, installs exactly that lock. The state in the registry
says how the last attempt went: Building, Ready (with size) or Failed (with the
resolver's message).
"""

from __future__ import annotations

from jupyter_mlws.environments import registry
from jupyter_mlws.environments.build import Build, build_locked, resolve_and_build
from jupyter_mlws.environments.cache import BuildCache, folder_size
from jupyter_mlws.environments.errors import EnvironmentBuildError
from jupyter_mlws.environments.installer import Log, choose
from jupyter_mlws.environments.lock import Lock
from jupyter_mlws.environments.registry import EnvironmentVersion
from jupyter_mlws.exceptions import MlwsError
from jupyter_mlws.store import SqlStore


def _quiet(_text: str) -> None:
    pass


def ensure_build(
    store: SqlStore,
    name: str,
    version: int,
    log: Log = _quiet,
    cache: BuildCache | None = None,
) -> tuple[EnvironmentVersion, Build]:
    """The version (with its lock) and its build in this machine's cache."""
    cache = cache or BuildCache()
    env = registry.get(store, name, version)
    if env.lock is not None:
        lock = Lock.parse(env.lock)
        if cache.has(lock.hash):  # the fast path of every run after the first
            cache.touch(lock.hash)
            return env, Build(cache.path(lock.hash), lock)
    key = f"spec-{env.spec.hash[:24]}"
    with cache.locked(key):
        env = registry.get(store, name, version)  # resolved while we waited?
        try:
            build = _build(store, env, cache, key, log)
        except MlwsError as exc:
            store.set_environment_state(name, version, registry.FAILED, error=exc.message)
            log(f"[mlws] environment {env.ref} failed to build: {exc.message}\n")
            raise
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            store.set_environment_state(name, version, registry.FAILED, error=message)
            raise EnvironmentBuildError(message) from exc
        store.set_environment_state(
            name, version, registry.READY, size_bytes=folder_size(build.path)
        )
    return registry.get(store, name, version), build


def _build(
    store: SqlStore, env: EnvironmentVersion, cache: BuildCache, key: str, log: Log
) -> Build:
    if env.lock is not None:
        lock = Lock.parse(env.lock)
        if not cache.has(lock.hash):
            store.set_environment_state(env.name, env.version, registry.BUILDING)
            log(f"[mlws] building environment {env.ref} from its lock ({choose()})\n")
        return build_locked(lock, env.spec.index_urls, cache, log)
    store.set_environment_state(env.name, env.version, registry.BUILDING)
    log(f"[mlws] building environment {env.ref}: first build, resolving ({choose()})\n")
    build = resolve_and_build(env.spec, cache, key, log)
    stored = store.set_environment_lock(env.name, env.version, build.lock.text, build.lock.hash)
    if stored != build.lock.hash:  # another machine recorded its lock first: use that one
        winner = registry.get(store, env.name, env.version)
        assert winner.lock is not None
        build = build_locked(Lock.parse(winner.lock), env.spec.index_urls, cache, log)
    log(
        f"[mlws] environment {env.ref} ready: {len(build.lock.packages)} packages, "
        f"lock {build.lock.hash[:12]}\n"
    )
    return build
