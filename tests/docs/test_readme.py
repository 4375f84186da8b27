"""Every README snippet runs as written, in document order, in a fresh folder (issue 17).

Python blocks run in one IPython shell (names carry over from block to block, and the
``%%run``/``%mlws`` cells run as in a notebook), shell blocks in bash, all in an empty
temporary folder with a fresh home and no ``MLWS_WORKSPACE``: the embedded SQLite
default a new user gets. A block is skipped only by a visible
``<!-- readme-test: skip (REASON) -->`` line before it; the test prints what it skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
import pytest
from helpers import wait_until
from object_storage.servers import S3Server

from .readme_snippets import MarkerError, Snippet, snippets

if TYPE_CHECKING:
    from jupyter_mlws.entities import RunRecord

DRIVER = Path(__file__).with_name("readme_driver.py")
TAG = "@@readme-test "
MAGIC_KINDS = ("cell", "interactive")  # %%run submitted, %%run --inline


def _stop_everything(*roots: Path) -> None:
    """Stop what the snippets left running: endpoints and managed compute clusters."""
    from jupyter_mlws import Workspace
    from jupyter_mlws.compute import admin

    for root in roots:
        if not (root / "workspace.json").exists():
            continue
        ws = Workspace.open(root)
        for record in ws.endpoints():
            ws.endpoint(record.name).delete()
        for target in admin.list_targets(ws):
            if target["config"].get("managed"):
                admin.stop_target(ws, target["name"])


def _processes_under(folder: Path) -> list[psutil.Process]:
    """Processes started for the snippets: their command line or folder is in ``folder``."""
    found = []
    for proc in psutil.process_iter(["cmdline", "cwd"]):
        try:
            text = " ".join(proc.info["cmdline"] or []) + " " + (proc.info["cwd"] or "")
        except psutil.Error:
            continue
        if str(folder) in text and proc.pid != os.getpid():
            found.append(proc)
    return found


@pytest.fixture
def s3_bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Server]:
    """The reader's S3 bucket of the Data section: ``my-bucket`` with Parquet files under
    ``raw/train/``, on moto's S3 server (``AWS_ENDPOINT_URL``, as the README says)."""
    import numpy as np
    import pandas as pd

    server = S3Server.start()
    try:
        server.make_bucket("my-bucket")
        rng = np.random.default_rng(3)
        x = rng.normal(size=(300, 5))
        frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(5)])
        frame["label"] = (x @ np.array([0.2, -0.5, 2.0, -3.0, 4.0]) > 0).astype(int)
        fs = server.filesystem()
        for part in range(2):
            fs.pipe(f"my-bucket/raw/train/part-{part}.parquet", frame[part::2].to_parquet())
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint)
        yield server
    finally:
        server.stop()


@pytest.fixture
def reader_folder(tmp_path: Path, s3_bucket: S3Server) -> Iterator[Path]:
    folder = tmp_path / "project"
    folder.mkdir()
    yield folder
    home = tmp_path / "home"
    _stop_everything(folder / ".mlws", home / ".mlws")

    def left_running() -> list[psutil.Process]:
        return _processes_under(folder) + _processes_under(home)

    try:
        wait_until(lambda: not left_running(), timeout=60)
    except AssertionError:
        left = [" ".join(p.info["cmdline"] or []) for p in left_running()]
        raise AssertionError(f"the snippets left processes running: {left}") from None


def test_markers_are_understood() -> None:
    text = "<!-- readme-test: skpi (typo) -->\n```bash\necho hi\n```\n"
    with pytest.raises(MarkerError, match="unknown marker"):
        snippets(text)
    text = (
        "<!-- readme-test: skip (needs a GPU) -->\n\n```python\nimport torch\n```\n```sh\nls\n```"
    )
    assert [(s.language, s.skip_reason) for s in snippets(text)] == [
        ("python", "needs a GPU"),
        ("shell", None),
    ]


def test_magic_blocks_split_into_cells() -> None:
    (block,) = snippets("```python\n%load_ext x\n\n%%run -e a\nx = 1\n\ny = 2\n\n%mlws ls\n```\n")
    assert block.cells() == ["%load_ext x\n", "%%run -e a\nx = 1\n\ny = 2\n", "%mlws ls\n"]


def test_every_readme_snippet_runs_as_written(reader_folder: Path) -> None:
    blocks = snippets()
    skipped = [s for s in blocks if s.skip_reason is not None]
    to_run = [s for s in blocks if s.skip_reason is None]
    for s in skipped:
        print(f"skipped {s.name}: {s.skip_reason}")
    assert len(skipped) <= 3, "skips must stay rare: make the snippet runnable instead"
    plan = reader_folder.parent / "snippets.json"
    plan.write_text(json.dumps([_plan(s) for s in to_run]))
    env = {k: v for k, v in os.environ.items() if k != "MLWS_WORKSPACE"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(
        [sys.executable, str(DRIVER), str(plan)],
        cwd=reader_folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    results = [
        json.loads(line[len(TAG) :]) for line in proc.stdout.splitlines() if line.startswith(TAG)
    ]
    for r in results:
        print(f"ran {r['name']} in {r['seconds']} s")
    failed = [r for r in results if r["error"]]
    assert not failed and proc.returncode == 0, (
        f"{failed[0]['name'] if failed else 'the driver'} failed: "
        f"{failed[0]['error'] if failed else ''}\n--- output ---\n{proc.stdout[-6000:]}\n"
        f"--- stderr ---\n{proc.stderr[-4000:]}"
    )
    assert [r["name"] for r in results] == [s.name for s in to_run]
    # The SDK snippet runs before `mlws init`, so its runs are in ~/.mlws (as a reader's).
    sdk_runs = _every_run_ended_well(reader_folder.parent / "home" / ".mlws")
    assert [r.experiment_name for r in sdk_runs] == ["mnist", "mnist"]  # submitted, baseline
    folder_runs = _every_run_ended_well(reader_folder / ".mlws")
    magic = [r for r in folder_runs if r.experiment_name == "mnist" and r.kind in MAGIC_KINDS]
    assert len(magic) == 2, f"the two %%run cells made {len(magic)} runs in 'mnist'"


def _every_run_ended_well(root: Path) -> list[RunRecord]:
    """Runs the snippets started without waiting (notebooks, ``%%run``, on Dask, in an
    environment) must end too, and none Failed: a silent failure is still a failure."""
    from jupyter_mlws import Workspace
    from jupyter_mlws.entities import RunStatus

    ws = Workspace.open(root)

    def runs() -> list[RunRecord]:
        return ws.store.list_runs(include_archived=True, limit=1000)[0]

    wait_until(lambda: all(r.status.is_terminal for r in runs()), timeout=180)
    ended = {f"{r.experiment_name}:{r.number} ({r.kind})": r for r in runs()}
    print("runs:", {name: r.status.value for name, r in ended.items()})
    failed = {
        n: (r.error or {}).get("message") for n, r in ended.items() if r.status == RunStatus.FAILED
    }
    assert not failed, f"runs started by README snippets failed: {failed}"
    return list(ended.values())


def _plan(snippet: Snippet) -> dict[str, object]:
    return {
        "name": snippet.name,
        "language": snippet.language,
        "code": snippet.code,
        "cells": snippet.cells(),
    }
