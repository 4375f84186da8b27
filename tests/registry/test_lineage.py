"""Models registered from runs keep their lineage: run, snapshot, experiment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jupyter_mlws import Run, ScriptRunConfig, Workspace
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
    with pytest.raises(
        ResourceNotFoundError, match=f"run {run.id} holds no file or folder 'outputs/nope'"
    ):
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


def _train_in(folder: Path, ws: Workspace, model: bytes) -> str:
    """An interactive run that writes outputs/model.pkl in ``folder``; returns its id."""
    with ws.experiment("sweep").start_logging() as run:
        os.makedirs(folder / "outputs", exist_ok=True)
        (folder / "outputs" / "model.pkl").write_bytes(model)
        run.log("auc", model[-1])
    return run.id


def test_interactive_runs_collect_the_outputs_of_their_folder(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Azure sample: several runs in one folder, then the best run's model is
    registered: it must be that run's file, not the last one left in the folder."""
    monkeypatch.chdir(tmp_path)
    ids = [_train_in(tmp_path, ws, bytes([i])) for i in (1, 3, 2)]
    for i, run_id in zip((1, 3, 2), ids):
        assert Run(ws, run_id).read_file("outputs/model.pkl") == bytes([i])
    best = ws.experiment("sweep").get_runs(sort_by="metric:auc")[0]
    version = ws.register_model("best", "outputs/model.pkl", run=best)
    assert version.run_id == ids[1]
    assert ws.download_model(version, tmp_path / "dl").read_bytes() == bytes([3])


def test_a_run_collects_the_folder_it_started_in_not_the_current_one(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start, elsewhere = tmp_path / "start", tmp_path / "elsewhere"
    for folder in (start, elsewhere):
        (folder / "outputs").mkdir(parents=True)
        (folder / "outputs" / "where.txt").write_text(folder.name)
    monkeypatch.chdir(start)
    with ws.experiment("e").start_run() as run:
        monkeypatch.chdir(elsewhere)
    assert run.read_file("outputs/where.txt") == b"start"
    assert (start / "outputs" / "where.txt").exists()  # collected, never moved


def test_a_failed_interactive_run_collects_its_outputs_too(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "outputs").mkdir()
    (tmp_path / "outputs" / "partial.txt").write_text("half")
    with pytest.raises(ZeroDivisionError), ws.experiment("e").start_run() as run:
        raise ZeroDivisionError("training diverged")
    assert run.refresh().status.value == "Failed"
    assert run.get_file_names("outputs/") == ["outputs/partial.txt"]


def test_register_from_a_run_never_falls_back_to_a_local_file(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ws.experiment("exp").start_logging() as run:
        pass  # logs nothing, writes no outputs
    monkeypatch.chdir(tmp_path)
    (tmp_path / "outputs").mkdir()
    (tmp_path / "outputs" / "model.pkl").write_bytes(b"someone else's model")
    for register in (
        lambda: ws.register_model("m", "outputs/model.pkl", run=run),
        lambda: ws.register_model("m", "outputs/model.pkl", run=run.id),
        lambda: Run(ws, run.id).register_model("m", "outputs/model.pkl"),
    ):
        with pytest.raises(ResourceNotFoundError) as caught:
            register()
        assert f"run {run.id} holds no file or folder 'outputs/model.pkl'" in str(caught.value)
    assert ws.models() == [] and run.get_file_names() == []
