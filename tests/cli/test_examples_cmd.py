"""``mlws examples``: the README's example files, copied; an existing file is never
half-overwritten."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

MLWS = [sys.executable, "-m", "jupyter_mlws.cli"]


def mlws(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MLWS, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_copies_the_files_the_readme_uses(tmp_path: Path) -> None:
    proc = mlws(tmp_path, "examples", "proj", "--json")
    assert proc.returncode == 0, proc.stderr
    files = sorted(
        Path(row["file"]).relative_to("proj").as_posix() for row in json.loads(proc.stdout)
    )
    assert files == ["serve/score.py", "train.ipynb", "train.py"]
    notebook = json.loads((tmp_path / "proj" / "train.ipynb").read_text())
    tagged = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert "lr = " in "".join(tagged[0]["source"])  # papermill's parameters cell


def test_refuses_to_overwrite_anything_without_force(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("mine\n")
    proc = mlws(tmp_path, "examples")
    assert proc.returncode != 0
    assert proc.stderr.count("\n") == 1 and "train.py" in proc.stderr and "--force" in proc.stderr
    assert (tmp_path / "train.py").read_text() == "mine\n"
    assert not (tmp_path / "train.ipynb").exists() and not (tmp_path / "serve").exists()
    assert mlws(tmp_path, "examples", "--force").returncode == 0
    assert (tmp_path / "train.py").read_text() != "mine\n"
