"""The README's Python SDK snippet runs as written, in a fresh folder (issue 17)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def python_snippets() -> list[str]:
    """```python blocks that are plain Python (no magics, no names from earlier blocks)."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return [b for b in blocks if b.startswith("from ") and "%" not in b.split("\n", 1)[0]]


def test_the_sdk_snippet_runs_as_written(tmp_path: Path) -> None:
    # The first such block is the SDK snippet (later sections open the workspace too).
    snippet = next(s for s in python_snippets() if "Workspace.current()" in s)
    script = tmp_path / "snippet.py"
    script.write_text(snippet)
    env = {**os.environ, "MLWS_WORKSPACE": str(tmp_path / ".mlws")}
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "saved outputs/model.npz" in proc.stdout  # the submitted demo trained
    assert "outputs/model.npz" in proc.stdout.splitlines()[-1]
