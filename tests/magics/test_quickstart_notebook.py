"""``notebooks/quickstart.ipynb`` runs top to bottom and leaves what it promises."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from jupyter_mlws import Workspace
from jupyter_mlws.entities import RunStatus

from .kernel_outputs import WIDGET_MIME, stdout

QUICKSTART = Path(__file__).parents[2] / "notebooks" / "quickstart.ipynb"


def test_quickstart_executes_and_records_its_runs(tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(QUICKSTART, folder)
    nb = nbformat.read(folder / "quickstart.ipynb", as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()  # raises on the first failing cell

    code = [c for c in nb.cells if c.cell_type == "code"]
    widgets = [c for c in code if any(WIDGET_MIME in o.get("data", {}) for o in c.outputs)]
    assert len(widgets) >= 6  # run, %%run (both), experiment, explicit view, %mlws run show
    assert "learned weights" in stdout(code[2])

    ws = Workspace.current()
    runs = {r.display_name: r for r in ws.experiment("quickstart").get_runs()}
    assert set(runs) == {
        "from-python",
        "inline-lr",
        "submitted",
        "sweep-0.01",
        "sweep-0.02",
        "sweep-0.3",
    }
    assert all(r.refresh().status is RunStatus.COMPLETED for r in runs.values())
    inline = runs["inline-lr"]
    assert inline.record.params == {"lr": "0.1", "epochs": "60"}
    assert len(inline.get_metrics()["loss"]) == 60
    assert "learned weights" in inline.get_logs()
    submitted = runs["submitted"]
    assert submitted.record.kind == "cell" and submitted.record.tags == {"stage": "demo"}
    assert submitted.get_file_names() == ["outputs/model.json"]
    assert "saved outputs/model.json" in submitted.get_logs()
    assert len(submitted.get_metrics()["loss"]) == 80
