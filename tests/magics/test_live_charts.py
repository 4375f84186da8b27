"""The chart under a ``%%run`` cell grows while the run runs (issue 17).

A real kernel runs the magic; the test reads what the kernel tells the front end
(``tests/frontend.py``), so a point that never reaches the browser fails the test.
The cell's code waits for gate files the test creates, so each batch of points is
logged only once the previous one was seen: no timing is assumed anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from frontend import FrontEnd, point_count

BATCHES, PER_BATCH = 3, 4

CELL = """\
import pathlib, time
from jupyter_mlws import Run
run = Run.get_context()
gate = pathlib.Path({gate!r})
for batch in range({batches}):
    while not (gate / f"go-{{batch}}").exists():
        time.sleep(0.02)
    for i in range({per_batch}):
        run.log("loss", 1.0 / (batch * {per_batch} + i + 1))
    run.flush()
"""


@pytest.fixture
def frontend(tmp_path: Path) -> Iterator[FrontEnd]:
    fe = FrontEnd()
    fe.execute(f"import os; os.chdir({str(tmp_path)!r})\n%load_ext jupyter_mlws")
    yield fe
    fe.close()


def _grows_batch_by_batch(fe: FrontEnd, gate: Path) -> None:
    for batch in range(BATCHES):
        (gate / f"go-{batch}").touch()
        want = (batch + 1) * PER_BATCH
        fe.until(
            lambda want=want: point_count(fe.figure_titled("loss")) == want,
            what=f"the loss chart to show {want} points",
        )
    fe.until(lambda: "Completed" in fe.html_values(), what="the header to say Completed")
    figure = fe.figure_titled("loss")
    assert figure is not None and figure.restyles >= 1  # it grew in place, not redrawn anew


@pytest.mark.parametrize("late", [False, True], ids=["first-point-at-once", "first-point-late"])
def test_submitted_cell_chart_grows_while_it_runs(
    frontend: FrontEnd, tmp_path: Path, late: bool
) -> None:
    gate = tmp_path / "gate"
    gate.mkdir()
    code = CELL.format(gate=str(gate), batches=BATCHES, per_batch=PER_BATCH)
    frontend.execute(f"%%run -e live\n{code}")
    assert frontend.figure_titled("loss") is None  # nothing logged yet: no chart yet
    if late:  # the view has settled into its slow polling before the first point
        frontend.until(
            lambda: "Running" in frontend.html_values(), what="the header to say Running"
        )
    _grows_batch_by_batch(frontend, gate)


def test_inline_cell_chart_grows_while_the_cell_runs(frontend: FrontEnd, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    gate.mkdir()
    code = CELL.format(gate=str(gate), batches=BATCHES, per_batch=PER_BATCH)
    cell = frontend.submit(f"%%run --inline -e live-inline\n{code}")
    _grows_batch_by_batch(frontend, gate)
    frontend.until(lambda: frontend.finished(cell), what="the cell to finish")
    assert frontend.errors == []


def test_notebook_run_chart_grows_while_it_runs(frontend: FrontEnd, tmp_path: Path) -> None:
    from helpers import write_notebook

    gate = tmp_path / "gate"
    gate.mkdir()
    code = CELL.format(gate=str(gate), batches=BATCHES, per_batch=PER_BATCH)
    notebook = write_notebook(tmp_path / "nb" / "train.ipynb", "epochs = 1", [code])
    frontend.execute(
        "from jupyter_mlws import NotebookRunConfig, Workspace\n"
        "from IPython.display import display\n"
        f"config = NotebookRunConfig({str(notebook)!r})\n"
        "run = Workspace.current().experiment('live-nb').submit(config)\n"
        "display(run)"
    )
    _grows_batch_by_batch(frontend, gate)
