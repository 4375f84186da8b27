"""Datasets as run inputs and outputs, materialized by the real job runner, and lineage:
dataset → run → model (→ endpoint)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import write_notebook
from object_storage.servers import StorageBackend

from jupyter_mlws import NotebookRunConfig, ScriptRunConfig, Workspace
from jupyter_mlws.data import Dataset, OutputFileDatasetConfig
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import RunFailedError

TRAIN = """
import os, sys
from pathlib import Path
from jupyter_mlws import Run
run = Run.get_context()
train, ref, out = sys.argv[1], sys.argv[2], sys.argv[3]
assert run.input_datasets["train"] == train, (run.input_datasets, train)
names = sorted(p.name for p in Path(train).iterdir())
print("train files", names)
print("ref files", sorted(p.name for p in Path(ref).iterdir()))
Path(out, "predictions.csv").write_text("id,p\\n1,0.5\\n")
os.makedirs("outputs", exist_ok=True)
Path("outputs/model.txt").write_text(",".join(names))
"""


def test_script_run_reads_inputs_writes_an_output_dataset_and_lineage_flows_to_models(
    ws: Workspace, backend: StorageBackend, tmp_path: Path
) -> None:
    if backend.kind == "azure":
        pytest.skip("the run suite covers file:// and S3; Azure shares the same code path")
    for name in ("a.csv", "b.csv"):
        backend.write(f"train/{name}", b"x,y\n1,2\n")
    backend.write("ref/r.txt", b"ref")
    store = backend.register(ws, "raw")
    train = Dataset.File.from_files(path=(store, "train/*.csv")).register(ws, "train")
    ref = Dataset.File.from_files(path=(store, "ref")).register(ws, "ref")
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(textwrap.dedent(TRAIN))
    output = OutputFileDatasetConfig(
        name="preds", destination=(store, "preds/{run-id}")
    ).register_on_complete("predictions")
    config = ScriptRunConfig(
        src,
        "train.py",
        arguments=[
            train.as_named_input("train").as_download(),
            ref.as_named_input("ref").as_mount(),
            output,
        ],
    )
    run = ws.experiment("e").submit(config)
    run.wait_for_completion()
    logs = run.get_logs()
    assert "train files ['a.csv', 'b.csv']" in logs and "ref files ['r.txt']" in logs
    assert "{mlws-input" not in run.refresh().definition["argv"][-1]  # tokens stay in the record

    links = {(x.ref, x.direction, x.name) for x in run.get_dataset_links()}
    assert links == {
        ("train:1", "input", "train"),
        ("ref:1", "input", "ref"),
        ("predictions:1", "output", "preds"),
    }
    preds = Dataset.get_by_name(ws, "predictions")
    assert preds.version_info is not None and preds.version_info.run_id == run.id
    assert preds.to_path() == ["/predictions.csv"]

    model = run.register_model("clf", "outputs/model.txt")
    assert sorted(model.datasets) == ["ref:1", "train:1"]
    lineage = ws.store.dataset_lineage("train", 1)
    assert lineage["read_by"] == [run.id]
    assert lineage["models"] == [{"model": "clf:1", "run_id": run.id}]
    assert ws.store.dataset_lineage("predictions", 1)["written_by"] == [run.id]


def test_a_changed_input_is_recorded_and_a_vanished_one_fails_in_preparing(
    ws: Workspace, backend: StorageBackend, tmp_path: Path
) -> None:
    if backend.kind == "azure":
        pytest.skip("covered on file:// and S3")
    backend.write("d/one.txt", b"1")
    store = backend.register(ws, "raw")
    ds = Dataset.File.from_files(path=(store, "d/*.txt")).register(ws, "d")
    src = tmp_path / "src"
    src.mkdir()
    marker = tmp_path / "user-code-ran"
    (src / "job.py").write_text(f"open({str(marker)!r}, 'w').write('1')\n")
    backend.write("d/one.txt", b"changed")
    run = ws.experiment("e").submit(
        ScriptRunConfig(src, "job.py", arguments=[ds.as_named_input("d").as_download()])
    )
    run.wait_for_completion()
    assert [x.changed for x in run.get_dataset_links()] == [True]
    assert "changed since it was registered" in run.get_logs()

    marker.unlink()
    backend.remove("d/one.txt")
    run = ws.experiment("e").submit(
        ScriptRunConfig(src, "job.py", arguments=[ds.as_named_input("d").as_download()])
    )
    with pytest.raises(RunFailedError, match=r"Preparing failed: .*dataset d:1.*gone"):
        run.wait_for_completion()
    assert run.refresh().status is RunStatus.FAILED
    assert not marker.exists()


def test_notebook_run_gets_a_dataset_parameter_as_a_local_path(
    ws: Workspace, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "t.csv").write_text("a\n1\n")
    store = ws.get_default_datastore()
    store.upload(data, "nb")
    ds = Dataset.File.from_files(path=(store, "nb/**")).register(ws, "nbdata")
    nb = write_notebook(
        tmp_path / "nb" / "n.ipynb",
        "folder = ''",
        ["import os\nprint('files', os.listdir(folder))"],
    )
    run = ws.experiment("e").submit(
        NotebookRunConfig(nb, parameters={"folder": ds.as_named_input("x").as_download()})
    )
    run.wait_for_completion()
    assert [x.ref for x in run.get_dataset_links()] == ["nbdata:1"]
    assert run.refresh().status is RunStatus.COMPLETED
