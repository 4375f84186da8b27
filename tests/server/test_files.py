"""Artifacts, output notebooks and snapshots, and paths that try to leave their run."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from jupyter_mlws.workspace import Workspace

from .conftest import Api
from .seed import tracked_run
from .test_submit import wait_status

pytestmark = pytest.mark.usefixtures("jp_serverapp")

SECRET = b"workspace secret"


@pytest.fixture
def run_with_files(workspace: Workspace, tmp_path: Path) -> str:
    (tmp_path / "secret.txt").write_bytes(SECRET)
    notebook = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    run = tracked_run(
        workspace,
        files={
            "outputs/model.txt": b"weights",
            "outputs/report.ipynb": notebook.encode(),
            "logs/extra.log": b"log",
        },
    )
    return run.id


async def test_list_and_download_artifacts(api: Api, run_with_files: str) -> None:
    listed = await api("GET", f"runs/{run_with_files}/artifacts")
    paths = [f["path"] for f in listed.json["files"]]
    assert paths == ["logs/extra.log", "outputs/model.txt", "outputs/report.ipynb"]
    only = await api("GET", f"runs/{run_with_files}/artifacts", {"prefix": "outputs/"})
    assert len(only.json["files"]) == 2
    got = await api(
        "GET", f"runs/{run_with_files}/artifacts/content", {"path": "outputs/model.txt"}
    )
    assert got.status == 200 and got.body == b"weights"
    assert got.headers["Content-Type"].startswith("text/plain")
    assert "model.txt" in got.headers["Content-Disposition"]


ESCAPES = [
    "../secret.txt",
    "../../secret.txt",
    "outputs/../../secret.txt",
    "/etc/passwd",
    "//etc/passwd",
    "%2e%2e/secret.txt",
    "%2e%2e%2fsecret.txt",
    "..%2fsecret.txt",
    "..\\secret.txt",
    "outputs/..\\..\\secret.txt",
    "~/secret.txt",
    "C:\\secret.txt",
    "outputs/\x00model.txt",
    "",
    ".",
]


@pytest.mark.parametrize("path", ESCAPES)
async def test_artifact_paths_cannot_escape_the_run(
    api: Api, run_with_files: str, path: str
) -> None:
    reply = await api("GET", f"runs/{run_with_files}/artifacts/content", {"path": path})
    assert reply.status in (400, 404), reply.body
    assert reply.json["error_code"] in ("INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST")
    assert SECRET not in reply.body


@pytest.mark.parametrize(
    "raw_query",
    ["path=..%2F..%2Fsecret.txt", "path=%252e%252e%252fsecret.txt", "path=%2Fetc%2Fpasswd"],
)
async def test_encoded_query_variants_cannot_escape(
    api: Api, run_with_files: str, raw_query: str
) -> None:
    reply = await api("GET", f"runs/{run_with_files}/artifacts/content?{raw_query}")
    assert reply.status in (400, 404)
    assert SECRET not in reply.body


@pytest.mark.parametrize("segment", ["..", "%2e%2e", "..%2f..%2fsecret.txt"])
async def test_run_path_segment_cannot_escape(api: Api, segment: str) -> None:
    reply = await api("GET", f"runs/{segment}/artifacts", check=False)
    assert reply.status in (400, 404)
    assert SECRET not in reply.body


async def test_prefix_cannot_escape(api: Api, run_with_files: str) -> None:
    reply = await api("GET", f"runs/{run_with_files}/artifacts", {"prefix": "../"})
    assert reply.status == 400


async def test_open_output_notebook_copies_it_under_the_server_root(
    api: Api, run_with_files: str, jp_root_dir: Path, workspace: Workspace
) -> None:
    reply = await api(
        "POST", f"runs/{run_with_files}/artifacts/open", body={"path": "outputs/report.ipynb"}
    )
    assert reply.status == 200
    copied = jp_root_dir / reply.json["path"]
    assert copied.is_file() and reply.json["path"].startswith("mlws-outputs/exp-")
    assert json.loads(copied.read_text())["nbformat"] == 4
    not_notebook = await api(
        "POST", f"runs/{run_with_files}/artifacts/open", body={"path": "outputs/model.txt"}
    )
    assert not_notebook.status == 400
    escape = await api(
        "POST", f"runs/{run_with_files}/artifacts/open", body={"path": "../../x.ipynb"}
    )
    assert escape.status == 400


async def test_snapshot_zip_of_a_submitted_run(
    api: Api, workspace: Workspace, jp_root_dir: Path
) -> None:
    (jp_root_dir / "train.py").write_text("print('hi')\n")
    (jp_root_dir / "data.csv").write_text("a,b\n")
    reply = await api("POST", "runs", body={"path": "train.py", "experiment": "zips"})
    assert reply.status == 201
    snap = await api("GET", f"runs/{reply.json['id']}/snapshot.zip")
    assert snap.status == 200 and snap.headers["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(snap.body)).namelist()
    assert sorted(names) == ["data.csv", "train.py"]


async def test_interactive_run_has_no_snapshot(api: Api, workspace: Workspace) -> None:
    run = tracked_run(workspace)
    reply = await api("GET", f"runs/{run.id}/snapshot.zip")
    assert reply.status == 404 and "no snapshot" in reply.json["message"]


async def test_open_output_notebook_refuses_a_link_planted_under_the_outputs_folder(
    api: Api, run_with_files: str, jp_root_dir: Path, tmp_path: Path
) -> None:
    opened = await api(
        "POST", f"runs/{run_with_files}/artifacts/open", body={"path": "outputs/report.ipynb"}
    )
    run_folder = jp_root_dir / Path(opened.json["path"]).parents[1]  # mlws-outputs/exp-N
    outside = tmp_path / "outside"
    outside.mkdir()
    for planted in (run_folder, jp_root_dir / "mlws-outputs"):
        shutil.rmtree(jp_root_dir / "mlws-outputs")
        planted.parent.mkdir(parents=True, exist_ok=True)
        planted.symlink_to(outside, target_is_directory=True)
        reply = await api(
            "POST", f"runs/{run_with_files}/artifacts/open", body={"path": "outputs/report.ipynb"}
        )
        assert reply.status == 400 and "symbolic link" in reply.json["message"]
        assert list(outside.iterdir()) == []
        planted.unlink()
    # a link in place of the notebook itself is refused too (not written through)
    target = jp_root_dir / opened.json["path"]
    target.parent.mkdir(parents=True, exist_ok=True)
    victim = outside / "victim.ipynb"
    victim.write_text("keep")
    target.symlink_to(victim)
    reply = await api(
        "POST", f"runs/{run_with_files}/artifacts/open", body={"path": "outputs/report.ipynb"}
    )
    assert reply.status == 400 and victim.read_text() == "keep"


async def test_a_link_to_outside_in_outputs_is_never_collected_nor_downloadable(
    api: Api, jp_root_dir: Path
) -> None:
    (jp_root_dir / "leak.py").write_text(
        "import os\n"
        "os.makedirs('outputs', exist_ok=True)\n"
        "open('outputs/model.txt', 'w').write('weights')\n"
        "os.symlink('/etc/passwd', 'outputs/p')\n"
        "os.symlink('model.txt', 'outputs/same-model.txt')\n"
    )
    reply = await api("POST", "runs", body={"path": "leak.py", "experiment": "links"})
    assert reply.status == 201
    run_id = reply.json["id"]
    done = await wait_status(api, run_id, {"Completed", "Failed"})
    assert done["status"] == "Completed"
    listed = await api("GET", f"runs/{run_id}/artifacts")
    assert [f["path"] for f in listed.json["files"]] == [
        "outputs/model.txt",
        "outputs/same-model.txt",
    ]
    leaked = await api("GET", f"runs/{run_id}/artifacts/content", {"path": "outputs/p"})
    assert leaked.status == 404 and b"root:" not in leaked.body
    inside = await api(
        "GET", f"runs/{run_id}/artifacts/content", {"path": "outputs/same-model.txt"}
    )
    assert inside.body == b"weights"  # a link inside outputs/ is stored as its content
