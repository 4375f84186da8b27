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

import psutil
import pytest
from helpers import wait_until

from .readme_snippets import MarkerError, Snippet, snippets

DRIVER = Path(__file__).with_name("readme_driver.py")
TAG = "@@readme-test "


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
def reader_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "project"
    folder.mkdir()
    yield folder
    _stop_everything(folder / ".mlws", tmp_path / "home" / ".mlws")
    wait_until(lambda: not _processes_under(tmp_path), timeout=60)


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


def _plan(snippet: Snippet) -> dict[str, object]:
    return {
        "name": snippet.name,
        "language": snippet.language,
        "code": snippet.code,
        "cells": snippet.cells(),
    }
