"""Submitting from the browser: scripts and notebooks run for real, re-runs, cancels."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlws.workspace import Workspace

from .conftest import Api

pytestmark = pytest.mark.usefixtures("jp_serverapp")

TRAIN = """
import sys, time
from jupyter_mlws import Run
run = Run.get_context()
for step in range(3):
    run.log("loss", 1.0 / (step + 1), step=step)
print("trained", sys.argv[1:])
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 0)
"""


async def wait_status(api: Api, run_id: str, statuses: set[str], limit_s: float = 60) -> Any:
    """Poll like the sidebar does until the run reaches one of ``statuses``."""
    body: Any = None
    for _ in range(int(limit_s / 0.2)):
        body = (await api("GET", f"runs/{run_id}")).json
        if body["status"] in statuses:
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"run {run_id} stayed {body and body['status']}")


@pytest.fixture
def script(jp_root_dir: Path) -> str:
    (jp_root_dir / "project").mkdir()
    (jp_root_dir / "project" / "train.py").write_text(TRAIN)
    return "project/train.py"


async def test_submit_script_completes_and_rerun_repeats_it(api: Api, script: str) -> None:
    reply = await api(
        "POST",
        "runs",
        body={
            "path": script,
            "experiment": "web",
            "arguments": ["0"],
            "parameters": {"lr": 0.1},
            "tags": {"from": "lab"},
            "display_name": "first",
        },
    )
    assert reply.status == 201 and reply.json["status"] in ("Queued", "Preparing", "Running")
    done = await wait_status(api, reply.json["id"], {"Completed", "Failed"})
    assert done["status"] == "Completed", done["error"]
    assert done["metrics"]["loss"] == pytest.approx(1 / 3)
    log = await api("GET", f"runs/{done['id']}/logs")
    assert "trained ['0']" in log.json["text"]

    again = await api("POST", f"runs/{done['id']}/rerun")
    assert again.status == 201
    rerun = again.json
    assert rerun["id"] != done["id"] and rerun["number"] == done["number"] + 1
    assert rerun["params"] == done["params"] and rerun["tags"]["from"] == "lab"
    assert rerun["tags"]["mlws.rerun_of"] == done["id"]
    assert rerun["snapshot_id"] == done["snapshot_id"] and rerun["display_name"] == "first"
    finished = await wait_status(api, rerun["id"], {"Completed", "Failed"})
    assert finished["status"] == "Completed"


async def test_cancel_a_running_script(api: Api, script: str) -> None:
    reply = await api("POST", "runs", body={"path": script, "arguments": ["300"]})
    run_id = reply.json["id"]
    await wait_status(api, run_id, {"Running"})
    cancel = await api("POST", f"runs/{run_id}/cancel")
    assert cancel.json["status"] in ("CancelRequested", "Canceled")
    ended = await wait_status(api, run_id, {"Canceled", "Completed", "Failed"})
    assert ended["status"] == "Canceled"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"path": "missing.py"}, 404),  # RESOURCE_DOES_NOT_EXIST
        ({"path": "../outside.py"}, 400),
        ({"path": "/etc/hostname"}, 400),
        ({"path": "project/train.py", "compute": "gpu-cluster"}, 404),
        ({"path": "project/train.py", "experiment": "../x"}, 400),
        ({"path": "project"}, 400),
    ],
)
async def test_bad_submissions_are_refused(
    api: Api, script: str, body: dict[str, Any], status: int, workspace: Workspace
) -> None:
    reply = await api("POST", "runs", body=body)
    assert reply.status == status, reply.json
    runs, _ = workspace.store.list_runs()
    assert runs == []


NOTEBOOK = {
    "cells": [
        {
            "id": "params",
            "cell_type": "code",
            "metadata": {"tags": ["parameters"]},
            "source": "alpha: float = 0.5  # learning rate\nepochs = 3\nname = 'demo'\n",
            "outputs": [],
            "execution_count": None,
        },
        {
            "id": "work",
            "cell_type": "code",
            "metadata": {},
            "source": "print(alpha * epochs)",
            "outputs": [],
            "execution_count": None,
        },
    ],
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


@pytest.fixture
def notebook(jp_root_dir: Path) -> str:
    (jp_root_dir / "nb.ipynb").write_text(json.dumps(NOTEBOOK))
    return "nb.ipynb"


async def test_notebook_parameters_prefill_the_dialog(api: Api, notebook: str) -> None:
    reply = await api("GET", "notebooks/parameters", {"path": notebook})
    params = {p["name"]: p for p in reply.json["parameters"]}
    assert list(params) == ["alpha", "epochs", "name"]
    assert params["alpha"]["type"] == "float" and params["alpha"]["default"] == "0.5"
    assert params["alpha"]["help"] == "learning rate"
    outside = await api("GET", "notebooks/parameters", {"path": "../nb.ipynb"})
    assert outside.status == 400


async def test_notebook_submission_runs_with_parameters(api: Api, notebook: str) -> None:
    reply = await api(
        "POST", "runs", body={"path": notebook, "parameters": {"alpha": 2.0}, "experiment": "nb"}
    )
    assert reply.status == 201, reply.json
    # "Run as experiment…" records every parameter the run used, the defaults too
    assert reply.json["params"] == {"alpha": "2.0", "epochs": "3", "name": "demo"}, reply.json
    done = await wait_status(api, reply.json["id"], {"Completed", "Failed", "Canceled"}, 120)
    assert done["status"] == "Completed", done["error"]
    log = await api("GET", f"runs/{done['id']}/logs")
    files = await api("GET", f"runs/{done['id']}/artifacts")
    notebooks = [f["path"] for f in files.json["files"] if f["path"].endswith(".ipynb")]
    assert notebooks, log.json["text"]
    opened = await api("POST", f"runs/{done['id']}/artifacts/open", body={"path": notebooks[0]})
    assert opened.status == 200


async def test_the_server_answers_while_a_submission_waits_for_the_database(
    api: Api, workspace: Workspace, script: str, jp_root_dir: Path
) -> None:
    """A submission stuck on SQLite's busy timeout must not stall the event loop (on the
    loop it would: nothing else, this test included, could run until it gave up)."""
    import sqlite3

    body = {"path": script, "experiment": "exp"}
    assert (await api("POST", "runs", body=body)).status == 201  # a worker is up and open
    blobs = Path(workspace.details()["artifact_url"])

    def stored() -> int:
        return sum(1 for p in blobs.rglob("*") if p.is_file())

    before = stored()
    (jp_root_dir / "project" / "data.txt").write_text("new content: a new blob")
    lock = sqlite3.connect(workspace.root / "mlws.db", isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # every writer now waits
    try:
        post = asyncio.ensure_future(api("POST", "runs", body=body))
        for _ in range(1200):  # the snapshot stores its new file, then waits to write rows
            if stored() > before:
                break
            await asyncio.sleep(0.05)
        assert stored() > before
        answered = await api("GET", "experiments")
        assert answered.status == 200 and not post.done()
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    submitted = await post
    assert submitted.status == 201 and submitted.json["experiment"] == "exp"
