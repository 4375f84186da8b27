"""Models registered from runs keep their lineage: run, snapshot, experiment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jupyter_mlws import ScriptRunConfig, Workspace
from jupyter_mlws.exceptions import ResourceNotFoundError

TRAIN = """
import os
from jupyter_mlws import Run

run = Run.get_context()
os.makedirs("outputs/model", exist_ok=True)
with open("outputs/model/weights.txt", "w") as f:
    f.write("trained")
# registered while the run is still running, before outputs/ is collected
version = run.register_model("from-job", "outputs/model", tags={"mid": "run"})
print("registered", version.ref)
"""


def test_register_from_an_interactive_run(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"abc")
    with ws.experiment("exp").start_logging() as run:
        run.upload_file("outputs/model.bin", tmp_path / "model.bin")
        version = run.register_model("m", "outputs/model.bin", properties={"auc": 0.9})
    assert version.run_id == run.id and version.experiment_name == "exp"
    assert version.root == "model.bin" and version.properties == {"auc": "0.9"}
    assert [m.ref for m in ws.models(run_id=run.id)] == ["m:1"]
    with pytest.raises(ResourceNotFoundError, match="no file or folder 'outputs/nope'"):
        run.register_model("m", "outputs/nope")


def test_register_from_the_working_folder_while_running(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    os.makedirs("outputs")
    Path("outputs/model.bin").write_bytes(b"local")
    with ws.experiment("exp").start_logging() as run:
        version = run.register_model("m", "outputs/model.bin")
        assert "outputs/model.bin" in run.get_file_names()  # uploaded to the run as well
    assert version.run_id == run.id
    out = ws.download_model("m:1", tmp_path / "dl")
    assert out.read_bytes() == b"local"


def test_a_submitted_run_registers_mid_run_with_full_lineage(ws: Workspace, tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "train.py").write_text(TRAIN)
    run = ws.experiment("training").submit(ScriptRunConfig(source_dir=source, script="train.py"))
    run.wait_for_completion(timeout=120)
    version = ws.model("from-job")
    assert version.run_id == run.id
    assert version.experiment_name == "training"
    assert version.snapshot_id is not None and version.snapshot_id == run.record.snapshot_id
    assert version.root == "model" and version.tags == {"mid": "run"}
    out = ws.download_model(version, tmp_path / "dl")
    assert (out / "weights.txt").read_text() == "trained"
    # and after the run: from its collected outputs, by the workspace
    again = ws.register_model("again", "outputs/model/weights.txt", run=run)
    assert again.run_id == run.id and again.root == "weights.txt"


def test_workspace_registers_a_local_file_with_a_runs_lineage(
    ws: Workspace, tmp_path: Path
) -> None:
    (tmp_path / "local.bin").write_bytes(b"x")
    with ws.experiment("exp").start_logging() as run:
        pass
    version = ws.register_model("m", tmp_path / "local.bin", run=run.id)
    assert version.run_id == run.id and version.experiment_name == "exp"
