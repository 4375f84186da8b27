"""Starting, updating, stopping and deleting endpoint services.

The database says what each endpoint should be; ``status.json`` says what its
supervisor did. Every change is a new *generation*: its folder is prepared, the
supervisor is started (or, when it is already running, asked to reload with SIGHUP),
and the caller waits until that generation is ready or has failed. An update therefore
never drops requests: the old workers answer until the new ones are ready.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_mlws.config import ENV_WORKSPACE
from jupyter_mlws.entities import EndpointRecord, EndpointState, ModelVersion
from jupyter_mlws.environments import resolve_environment
from jupyter_mlws.exceptions import InvalidParameterError, ResourceAlreadyExistsError, require
from jupyter_mlws.registry import ModelRegistry
from jupyter_mlws.serving import keys as endpoint_keys
from jupyter_mlws.serving.collection import DataCollection
from jupyter_mlws.serving.environment import entry, service_python
from jupyter_mlws.serving.errors import EndpointStartError
from jupyter_mlws.serving.layout import EndpointLayout, validate_endpoint_name
from jupyter_mlws.serving.liveness import is_running, observe, process_alive, process_started
from jupyter_mlws.serving.ports import ensure_free
from jupyter_mlws.serving.prepare import Settings, prepare_generation, snapshot_source
from jupyter_mlws.serving.runtime.config import (
    DEFAULT_LOG_BACKUPS,
    DEFAULT_LOG_MAX_BYTES,
    DEFAULT_MAX_STUCK_THREADS,
    DEFAULT_THREADS,
    write_json_atomic,
)
from jupyter_mlws.tracking import Workspace
from jupyter_mlws.tracking.liveness import this_host

AUTH_MODES = ("key", "none")
CONTRACTS = ("native", "azureml-v1")
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding jupyter_mlws/
DEFAULT_WAIT_S = 120.0
LOG_TAIL_LINES = 40


@dataclass(frozen=True)
class Deployment:
    """What to run: the models, the script and its folder, and how to serve them."""

    models: Sequence[Any]
    entry_script: str = "score.py"
    source_dir: str | os.PathLike[str] = "."
    workers: int = 1
    port: int | None = None
    auth: str = "key"
    bind: str = "127.0.0.1"
    timeout_s: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    contract: str = "native"
    threads: int = DEFAULT_THREADS
    """Calls of a plain ``run()`` at once per worker."""
    max_stuck_threads: int = DEFAULT_MAX_STUCK_THREADS
    """Timed-out ``run()`` calls still running at which a worker is replaced."""
    environment: Any = None  # an Environment, "name" or "name:version"; None: inherit
    log_max_bytes: int = DEFAULT_LOG_MAX_BYTES
    """Size at which ``service.log`` and ``requests.jsonl`` are rotated."""
    log_backups: int = DEFAULT_LOG_BACKUPS
    """Rotated copies kept of each."""
    data_collection: DataCollection | None = None
    """Inputs and outputs of sampled requests written to a datastore (None: off)."""


def deploy(
    ws: Workspace, name: str, spec: Deployment, wait_s: float = DEFAULT_WAIT_S
) -> dict[str, str]:
    """Create and start endpoint ``name``; returns its keys in clear (shown only now)."""
    for module in ("starlette", "uvicorn", "orjson"):
        require(module, "serving")
    validate_endpoint_name(name)
    _check_spec(spec)
    versions = resolve_models(ws, spec.models)
    environment = entry(resolve_environment(ws, spec.environment))
    service_python(ws.store, environment, _PACKAGE_ROOT)  # build it before writing anything
    snapshot_id, source = snapshot_source(ws, spec.source_dir, spec.entry_script)
    _replace_if_down(ws, name)
    if spec.port is not None:
        ensure_free(spec.bind, spec.port)
    settings = Settings(
        entry_script=spec.entry_script,
        snapshot_id=snapshot_id,
        source_dir=source,
        timeout_s=spec.timeout_s,
        max_body_bytes=spec.max_body_bytes,
        contract=spec.contract,
        threads=spec.threads,
        max_stuck_threads=spec.max_stuck_threads,
        environment=environment,
        log_max_bytes=spec.log_max_bytes,
        log_backups=spec.log_backups,
        data_collection=spec.data_collection.to_dict() if spec.data_collection else None,
    )
    ws.store.create_endpoint(
        name,
        bind=spec.bind,
        port=spec.port,  # None: the service binds any free port and reports it
        workers=spec.workers,
        auth=spec.auth,
        config=settings.to_dict(),
        models=[(v.name, v.version) for v in versions],
    )
    layout = EndpointLayout.of(ws.root, name)
    ws.modes.make_dir(layout.dir.parent)
    ws.modes.make_dir(layout.dir)
    keys = {}
    if spec.auth == "key":
        keys = endpoint_keys.issue_keys(ws.store, layout, name)
    else:
        endpoint_keys.write_keys_file(ws.store, layout, name)
    _launch(ws, ws.store.get_endpoint(name), versions, settings, wait_s)
    return keys


def update(
    ws: Workspace,
    name: str,
    *,
    models: Sequence[Any] | None = None,
    entry_script: str | None = None,
    source_dir: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    timeout_s: float | None = None,
    wait_s: float = DEFAULT_WAIT_S,
) -> EndpointRecord:
    """New models, script or worker count, switched to without dropping a request."""
    record = observe(ws.store, ws.store.get_endpoint(name))
    settings = Settings.from_dict(record.config)
    versions = resolve_models(ws, models if models is not None else record.models)
    if entry_script is not None or source_dir is not None:
        script = entry_script or settings.entry_script
        snapshot_id, source = snapshot_source(ws, source_dir or settings.source_dir, script)
        settings = dataclasses.replace(
            settings, entry_script=script, snapshot_id=snapshot_id, source_dir=source
        )
    if timeout_s is not None:
        settings = dataclasses.replace(settings, timeout_s=timeout_s)
    if workers is not None:
        if workers < 1:
            raise InvalidParameterError("an endpoint needs at least 1 worker")
        record = dataclasses.replace(record, workers=workers)  # recorded once it serves
    _launch(ws, record, versions, settings, wait_s, activity="update")
    return ws.store.get_endpoint(name)


def start(
    ws: Workspace, name: str, port: int | None = None, wait_s: float = DEFAULT_WAIT_S
) -> EndpointRecord:
    """Start an endpoint that is Dead, Stopped or Failed (a no-op when it is running)."""
    record = observe(ws.store, ws.store.get_endpoint(name))
    if is_running(record):
        return record
    if port is not None:
        record = ws.store.update_endpoint(name, port=port)
    if record.port is not None:
        ensure_free(record.bind, record.port)
    layout = EndpointLayout.of(ws.root, name)
    endpoint_keys.write_keys_file(ws.store, layout, name)
    versions = resolve_models(ws, record.models)
    _launch(ws, record, versions, Settings.from_dict(record.config), wait_s, activity="start")
    return ws.store.get_endpoint(name)


def stop(ws: Workspace, name: str) -> EndpointRecord:
    record = ws.store.get_endpoint(name)
    _terminate(record)
    return ws.store.update_endpoint(name, state=EndpointState.STOPPED, pid=None, activity="stop")


def delete(ws: Workspace, name: str) -> None:
    record = ws.store.get_endpoint(name)
    _terminate(record)
    ws.store.delete_endpoint(name)
    EndpointLayout.of(ws.root, name).remove()


def resolve_models(ws: Workspace, models: Sequence[Any]) -> list[ModelVersion]:
    if isinstance(models, (str, ModelVersion)):
        models = [models]
    if not models:
        raise InvalidParameterError("an endpoint serves at least one model (models=[...])")
    registry = ModelRegistry(ws.store, ws.blobs)
    versions = [registry.get(m) for m in models]
    names = [v.name for v in versions]
    if len(set(names)) != len(names):
        raise InvalidParameterError(
            f"one version per model, please: got {', '.join(map(str, models))}"
        )
    return versions


# ---- internals ------------------------------------------------------------------------


def _check_spec(spec: Deployment) -> None:
    if spec.auth not in AUTH_MODES:
        raise InvalidParameterError(
            f"auth must be one of {', '.join(AUTH_MODES)}, got {spec.auth!r}"
        )
    if spec.workers < 1:
        raise InvalidParameterError("an endpoint needs at least 1 worker")
    if spec.contract not in CONTRACTS:
        raise InvalidParameterError(f"contract must be one of {', '.join(CONTRACTS)}")
    if spec.port is not None and not 0 < spec.port < 65536:
        raise InvalidParameterError(f"port must be between 1 and 65535, got {spec.port}")
    if spec.timeout_s <= 0 or spec.max_body_bytes <= 0:
        raise InvalidParameterError("timeout_s and max_body_bytes must be positive")
    if spec.threads < 1 or spec.max_stuck_threads < 1:
        raise InvalidParameterError("threads and max_stuck_threads must be at least 1")
    if spec.log_max_bytes < 1024 or spec.log_backups < 1:
        raise InvalidParameterError(
            "log_max_bytes must be at least 1024 and log_backups at least 1, got "
            f"{spec.log_max_bytes} and {spec.log_backups}"
        )


def _replace_if_down(ws: Workspace, name: str) -> None:
    """Deploying again over a Failed, Dead or Stopped endpoint replaces it."""
    existing = [r for r in ws.store.list_endpoints() if r.name == name]
    if not existing:
        return
    record = observe(ws.store, existing[0])
    if is_running(record):
        raise ResourceAlreadyExistsError(
            f"endpoint {name!r} already exists and is running; `mlws endpoint update {name}` "
            "changes it, `mlws endpoint delete` removes it"
        )
    delete(ws, name)


def _launch(
    ws: Workspace,
    record: EndpointRecord,
    versions: Sequence[ModelVersion],
    settings: Settings,
    wait_s: float,
    activity: str | None = None,
) -> None:
    """``activity``: the user's act to log once the endpoint serves (a first deploy was
    logged when its record was created)."""
    layout = EndpointLayout.of(ws.root, record.name)
    generation = max(record.generation, _last_generation(layout)) + 1
    config = prepare_generation(
        ws,
        layout,
        name=record.name,
        generation=generation,
        versions=versions,
        settings=settings,
        bind=record.bind,
        port=record.port or 0,
        workers=record.workers,
        auth=record.auth,
    )
    previous = layout.config_path.read_bytes() if layout.config_path.exists() else None
    write_json_atomic(layout.config_path, config)
    reloading = is_running(record)
    if reloading:
        assert record.pid is not None
        pid = record.pid
        os.kill(pid, signal.SIGHUP)
    else:
        pid = _spawn(ws, layout, settings)
        ws.store.update_endpoint(
            record.name,
            state=EndpointState.TRANSITIONING,
            pid=pid,
            pid_started=process_started(pid),
            host=this_host(),
            error=None,
        )
    outcome = _wait_for(layout, pid, generation, wait_s)
    if outcome.get("state") == "ready":
        ws.store.update_endpoint(
            record.name,
            port=layout.read_status().get("port", record.port),
            workers=record.workers,
            state=EndpointState.HEALTHY,
            generation=generation,
            config=settings.to_dict(),
            error=None,
            models=[(v.name, v.version) for v in versions],
            activity=activity,
        )
        layout.prune_generations(generation)
        return
    failure = EndpointStartError(
        record.name,
        str(outcome.get("error") or "the service did not start"),
        str(outcome.get("traceback") or ""),
        _log_tail(layout),
    )
    error = {"message": failure.error, "traceback": failure.traceback, "generation": generation}
    if reloading:  # the old generation keeps serving; put its config back for restarts
        if previous is not None:
            layout.config_path.write_bytes(previous)
            os.kill(pid, signal.SIGHUP)
        ws.store.update_endpoint(record.name, error=error)
    else:
        _kill_group(pid)
        ws.store.update_endpoint(record.name, state=EndpointState.FAILED, pid=None, error=error)
    raise failure


def _spawn(ws: Workspace, layout: EndpointLayout, settings: Settings) -> int:
    python, extra = service_python(ws.store, settings.environment, _PACKAGE_ROOT)
    env = {
        **os.environ,
        ENV_WORKSPACE: str(ws.root),
        "PYTHONUNBUFFERED": "1",
        # One BLAS thread per worker: workers are the parallelism (and this keeps
        # numpy/sklearn from oversubscribing the cores).
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    env.pop("MLWS_RUN_ID", None)
    env.update(extra)
    if layout.status_path.exists():
        layout.status_path.unlink()
    # Its own session: independent of the kernel, the CLI and the Jupyter server, and
    # its workers share its process group so that the group can be stopped as one.
    # posix_spawn rather than Popen: no Popen object is left to warn that it still runs.
    log = os.fspath(layout.log_path)
    os.close(ws.modes.create_file(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND))  # 0600
    return os.posix_spawn(
        python,
        [python, "-m", "jupyter_mlws.serving.service", str(layout.dir)],
        env,
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ],
        setsid=True,
    )


def _wait_for(layout: EndpointLayout, pid: int, generation: int, wait_s: float) -> dict[str, Any]:
    """The outcome of ``generation``: ready, failed (with why), or a timeout."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        status = layout.read_status()
        if status.get("pid") == pid:
            outcome = status.get("generations", {}).get(str(generation), {})
            if outcome.get("state") in ("ready", "failed"):
                return dict(outcome)
        if not process_alive(pid, None):
            status = layout.read_status()
            outcome = status.get("generations", {}).get(str(generation), {})
            if outcome.get("state") == "failed":
                return dict(outcome)
            return {"state": "failed", "error": "the service exited before it was ready"}
        time.sleep(0.05)
    return {"state": "failed", "error": f"the service was not ready within {wait_s:g} s"}


def _terminate(record: EndpointRecord, grace_s: float = 30.0) -> None:
    if not is_running(record):
        return
    assert record.pid is not None
    try:
        os.kill(record.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and process_alive(record.pid, record.pid_started):
        time.sleep(0.05)
    _kill_group(record.pid)


def _kill_group(pid: int) -> None:
    """SIGKILL what is left of the service (its workers share its process group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    process_alive(pid, None)  # reaps it when this process started it


def _last_generation(layout: EndpointLayout) -> int:
    numbers = [int(p.name[1:]) for p in layout.dir.glob("g*") if p.name[1:].isdigit()]
    return max(numbers, default=0)


def _log_tail(layout: EndpointLayout, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = layout.log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
