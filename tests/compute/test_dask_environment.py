"""A Dask worker materializes an environment in its own cache, from the same lock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_mlws import Environment, ScriptRunConfig, Workspace
from jupyter_mlws.compute import admin
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.environments.cache import BuildCache

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def worker_cache(tmp_path: Path) -> Path:
    return tmp_path / "worker-cache"


@pytest.fixture
def cluster(worker_cache: Path) -> Iterator[object]:
    from distributed import Client, LocalCluster

    from jupyter_mlws.compute.dask_target import close_clients

    cluster = LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        host="127.0.0.1",
        env={"MLWS_ENV_CACHE": str(worker_cache), "MLWS_WARM_POOL_SIZE": "0"},
    )
    client = Client(cluster, set_as_default=False)
    yield client
    close_clients()
    client.close()
    cluster.close()


def test_a_worker_builds_the_recorded_lock_in_its_own_cache(
    tmp_path: Path, cluster: object, worker_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLWS_ENV_CACHE", str(tmp_path / "submitter-cache"))
    ws = Workspace.init(tmp_path / "proj")
    admin.attach_target(ws, "dc", cluster.scheduler.address)  # type: ignore[attr-defined]
    env = Environment("six")
    env.pip_packages = ["six==1.16.0"]
    env = env.register(ws)
    env.build_local(ws, log=lambda _text: None)  # here: resolves and records the lock
    lock_hash = Environment.get(ws, "six").__dict__["_record"].lock_hash
    src = tmp_path / "src"
    src.mkdir()
    (src / "where.py").write_text(
        "import json, sys, six\nprint('WHERE', json.dumps([sys.prefix, six.__version__]))\n"
    )
    run = ws.experiment("e").submit(ScriptRunConfig(src, "where.py", compute="dc", environment=env))
    run.wait_for_completion(timeout=240, raise_on_error=False)
    record = run.refresh()
    log = run.get_logs()
    assert record.status is RunStatus.COMPLETED, (record.error, log)
    prefix, version = json.loads(log.split("WHERE ", 1)[1].splitlines()[0])
    assert version == "1.16.0"
    assert prefix == str(BuildCache(worker_cache).path(lock_hash))
    assert "from its lock" in log  # installed exactly the lock, not resolved again
    assert record.properties["mlws.environment.lock_hash"] == lock_hash
