"""Sweeps over REST: list, one with trials/best/config, cancel, extend; typed 4xx errors."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlws import ScriptRunConfig
from jupyter_mlws.hyperdrive import GridParameterSampling, HyperDriveConfig, choice
from jupyter_mlws.workspace import Workspace

from .conftest import Api
from .seed import tracked_run

pytestmark = pytest.mark.usefixtures("jp_serverapp")

TRAIN = """\
import argparse, time
from jupyter_mlws import Run
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float)
p.add_argument("--steps", type=int, default=2)
a = p.parse_args()
run = Run.get_context()
for step in range(1, a.steps + 1):
    run.log("val_acc", a.lr * step)
    time.sleep(0.05)
"""


def submit(workspace: Workspace, tmp_path: Path, steps: int = 2, runs: int = 2) -> str:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "train.py").write_text(TRAIN)
    hd = HyperDriveConfig(
        run_config=ScriptRunConfig(src, "train.py", arguments=["--steps", steps]),
        hyperparameter_sampling=GridParameterSampling({"--lr": choice(0.1, 0.2, 0.3, 0.4)}),
        primary_metric_name="val_acc",
        primary_metric_goal="MAXIMIZE",
        max_total_runs=runs,
        max_concurrent_runs=2,
    )
    return workspace.experiment("hp").submit(hd).id


async def until(api: Api, path: str, predicate: Any, timeout: float = 300) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        reply = await api("GET", path)
        if predicate(reply.json):
            return reply.json
        assert time.monotonic() < deadline, f"{path} never reached the state"
        await asyncio.sleep(0.2)


async def test_sweep_list_show_and_extend(workspace: Workspace, api: Api, tmp_path: Path) -> None:
    tracked_run(workspace)  # a plain run is not a sweep
    sweep_id = submit(workspace, tmp_path)
    view = await until(api, f"sweeps/{sweep_id}", lambda v: v["run"]["status"] == "Completed")
    assert len(view["trials"]) == 2 and view["config"]["sampling"] == "grid"
    assert view["config"]["parameter_space"] == {"--lr": "choice(0.1, 0.2, 0.3, 0.4)"}
    best = max(view["trials"], key=lambda t: t["best_primary_metric"])
    assert view["best_run_id"] == best["run_id"]

    listed = (await api("GET", "sweeps")).json["sweeps"]
    assert [s["id"] for s in listed] == [sweep_id]

    reply = await api("POST", f"sweeps/{sweep_id}/extend", body={"max_runs": 2})
    assert reply.status == 200 and reply.json["status"] in ("Queued", "Preparing", "Running")
    view = await until(
        api,
        f"sweeps/{sweep_id}",
        lambda v: v["run"]["status"] == "Completed" and len(v["trials"]) == 4,
    )
    lrs = sorted(t["hyperparameters"]["--lr"] for t in view["trials"])
    assert lrs == [0.1, 0.2, 0.3, 0.4]
    again = await api("POST", f"sweeps/{sweep_id}/extend", body={"max_runs": 1})
    assert again.status == 409 and "grid points" in again.json["message"]


async def test_cancel_a_running_sweep(workspace: Workspace, api: Api, tmp_path: Path) -> None:
    sweep_id = submit(workspace, tmp_path, steps=400, runs=4)
    await until(
        api, f"sweeps/{sweep_id}", lambda v: any(t["status"] == "Running" for t in v["trials"])
    )
    conflict = await api("POST", f"sweeps/{sweep_id}/extend", body={"max_runs": 1})
    assert conflict.status == 409
    reply = await api("POST", f"sweeps/{sweep_id}/cancel")
    assert reply.status == 200
    view = await until(
        api,
        f"sweeps/{sweep_id}",
        lambda v: (
            v["run"]["status"] == "Canceled" and all(t["status"] == "Canceled" for t in v["trials"])
        ),
        timeout=120,
    )
    assert len(view["trials"]) == 2


async def test_bad_requests_are_typed_4xx(workspace: Workspace, api: Api) -> None:
    plain = tracked_run(workspace)
    not_a_sweep = await api("GET", f"sweeps/{plain.id}")
    assert not_a_sweep.status == 404 and "not a sweep" in not_a_sweep.json["message"]
    missing = await api("GET", "sweeps/" + "ab" * 16)
    assert missing.status == 404
    bad_body = await api("POST", f"sweeps/{plain.id}/extend", body={"max_runs": 0})
    assert bad_body.status == 400 and "max_runs" in bad_body.json["message"]


async def test_sweeps_need_authentication(
    jp_serverapp: Any, http_server_client: Any, jp_base_url: str
) -> None:
    url = f"{jp_base_url.rstrip('/')}/mlws/api/v1/sweeps"
    response = await http_server_client.fetch(url, raise_error=False)
    assert response.code == 401
