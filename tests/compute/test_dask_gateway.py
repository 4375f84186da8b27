"""A team's Dask Gateway as a compute target: a real ``dask-gateway-server`` (its local
backend, basic auth), the CLI to attach it, and a 20-trial sweep on the cluster it lends."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import mlws_cli, wait_until

from jupyter_mlws import ScriptRunConfig, Workspace
from jupyter_mlws.compute.dask_target import close_clients
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import ComputeUnavailableError
from jupyter_mlws.hyperdrive import (
    GridParameterSampling,
    HyperDriveConfig,
    PrimaryMetricGoal,
    choice,
)

pytest.importorskip("dask_gateway_server")
pytestmark = pytest.mark.timeout(600)

PASSWORD = "gateway-pa55"
TRAIN = """
import argparse, os
from jupyter_mlws import Run
p = argparse.ArgumentParser()
p.add_argument("--x", type=int)
a = p.parse_args()
run = Run.get_context()
run.log("score", -((a.x - 13) ** 2))
run.tag("gateway_cluster", os.environ.get("DASK_GATEWAY_CLUSTER_NAME", "none"))
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("gateway")
    public, private = _port(), _port()
    dask = str(Path(sys.executable).parent / "dask")
    (folder / "config.py").write_text(
        textwrap.dedent(f"""
        c.DaskGateway.address = "127.0.0.1:{private}"
        c.Proxy.address = "127.0.0.1:{public}"
        c.DaskGateway.backend_class = "dask_gateway_server.backends.local.UnsafeLocalBackend"
        c.DaskGateway.authenticator_class = "dask_gateway_server.auth.SimpleAuthenticator"
        c.SimpleAuthenticator.password = "{PASSWORD}"
        c.ClusterConfig.scheduler_cmd = [{dask!r}, "scheduler"]
        c.ClusterConfig.worker_cmd = [{dask!r}, "worker"]
        c.ClusterConfig.cluster_max_workers = 2
        c.LocalBackend.cluster_start_timeout = 120
        c.LocalBackend.worker_start_timeout = 120
        """)
    )
    server = Path(sys.executable).parent / "dask-gateway-server"
    log = (folder / "gateway.log").open("wb")
    proc = subprocess.Popen(
        [str(server), "-f", "config.py"], cwd=folder, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{public}"

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=5) as response:
                return bool(response.status == 200)
        except OSError:
            assert proc.poll() is None, (folder / "gateway.log").read_text()
            return False

    wait_until(healthy, timeout=120)
    yield url
    close_clients()
    proc.send_signal(signal.SIGINT)  # the local backend stops its clusters on shutdown
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _clusters(url: str) -> list[str]:
    from dask_gateway import BasicAuth, Gateway

    return [c.name for c in Gateway(url, auth=BasicAuth("team", PASSWORD)).list_clusters()]


def test_a_sweep_of_twenty_trials_runs_on_the_cluster_the_gateway_lends(
    gateway: str, tmp_path: Path
) -> None:
    project = tmp_path / "proj"
    ws = Workspace.init(project)
    ws.get_default_keyvault().set_secret("gateway-password", PASSWORD)
    attach = mlws_cli(
        project,
        *["compute", "attach", "team", "--type", "dask-gateway", "--address", gateway],
        *["--auth", "basic", "--username", "team", "--password-secret", "gateway-password"],
        *["--workers", "2"],
    )
    assert "team" in attach.stdout and PASSWORD not in attach.stdout
    assert PASSWORD not in str(ws.store.get_target("team"))

    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(TRAIN)
    config = HyperDriveConfig(
        run_config=ScriptRunConfig(src, "train.py", compute="team"),
        hyperparameter_sampling=GridParameterSampling({"--x": choice(*range(20))}),
        primary_metric_name="score",
        primary_metric_goal=PrimaryMetricGoal.MAXIMIZE,
        max_total_runs=20,
        max_concurrent_runs=4,
    )
    sweep = ws.experiment("gw").submit(config)
    sweep.wait_for_completion(timeout=540, raise_on_error=False)
    assert sweep.refresh().status is RunStatus.COMPLETED, sweep.refresh().error
    trials = sweep.trial_records()
    assert len(trials) == 20 and all(t.status is RunStatus.COMPLETED for t in trials)
    assert all(t.compute == "team" for t in trials)
    cluster = ws.store.get_target("team")["state"]["cluster"]
    assert {t.tags["gateway_cluster"] for t in trials} == {cluster}  # all on the gateway's
    best = sweep.get_best_run_by_primary_metric()
    assert best is not None and "--x 13" in " ".join(best.refresh().definition["argv"])

    assert cluster in _clusters(gateway)
    mlws_cli(project, "compute", "stop", "team")
    wait_until(lambda: cluster not in _clusters(gateway), timeout=120)
    assert ws.store.get_target("team")["state"] == {"status": "Attached"}


def test_bad_gateway_settings_are_refused_with_one_line(gateway: str, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    ws = Workspace.init(project)
    no_secret = mlws_cli(
        project,
        *["compute", "attach", "t", "--type", "dask-gateway", "--address", gateway],
        *["--auth", "basic"],
        check=False,
    )
    assert no_secret.returncode != 0 and "--password-secret" in no_secret.stderr
    assert "Traceback" not in no_secret.stderr
    not_url = mlws_cli(
        project,
        *["compute", "attach", "t", "--type", "dask-gateway", "--address", "tcp://x:1"],
        check=False,
    )
    assert "gateway's URL" in not_url.stderr and "Traceback" not in not_url.stderr
    missing = mlws_cli(
        project,
        *["compute", "attach", "t", "--type", "dask-gateway", "--address", gateway],
        *["--auth", "basic", "--username", "u", "--password-secret", "nope"],
        check=False,
    )
    assert "nope" in missing.stderr and "Traceback" not in missing.stderr
    assert ws.store.list_targets() == []

    ws.get_default_keyvault().set_secret("wrong", "not-the-password")
    mlws_cli(
        project,
        *["compute", "attach", "t", "--type", "dask-gateway", "--address", gateway],
        *["--auth", "basic", "--username", "u", "--password-secret", "wrong"],
    )
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text("print('never')\n")
    with pytest.raises(ComputeUnavailableError, match="Dask Gateway"):
        ws.experiment("e").submit(ScriptRunConfig(src, "train.py", compute="t"))
