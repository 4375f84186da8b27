"""The notebook part of ``mlws demo``: the front door users live in, end to end.

Builds a short notebook (the quickstart's path: ``%%run --inline``, ``%%run``, a
widget, ``%mlws``), executes it on a fresh kernel against this workspace, and saves
the executed copy, widgets included, next to the demo's script for the user to open.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from jupyter_mlws.exceptions import MlwsError, require

if TYPE_CHECKING:
    from jupyter_mlws.cli.context import CliContext
    from jupyter_mlws.workspace import Workspace

DEMO_NOTEBOOK = "demo-notebook.ipynb"
EXPERIMENT = "demo-notebook"

CELLS = [
    "%load_ext jupyter_mlws\nfrom jupyter_mlws import Run, Workspace",
    f"""%%run --inline -e {EXPERIMENT} -n inline -p lr=0.1 -p epochs=30
import numpy as np
run = Run.get_context()
rng = np.random.default_rng(0)
x = rng.normal(size=(200, 3))
y = x @ np.array([1.5, -2.0, 0.5])
w = np.zeros(3)
for epoch in range(epochs):
    w -= lr * 2 * x.T @ (x @ w - y) / len(y)
    run.log("loss", float(np.mean((x @ w - y) ** 2)))
print("weights", np.round(w, 3))""",
    f"""%%run -e {EXPERIMENT} -n submitted -p lr=0.2 -p epochs=40
import numpy as np
from jupyter_mlws import Run
run = Run.get_context()
for epoch in range(epochs):
    run.log("loss", float(np.exp(-lr * epoch)))
print("done after", epochs, "epochs")""",
    "_mlws_run.wait_for_completion(timeout=300)\n_mlws_run",
    f"Workspace.current().experiment({EXPERIMENT!r})",
    f"%mlws run list -e {EXPERIMENT}",
]


class DemoNotebookError(MlwsError):
    """A cell of the demo notebook failed; the message names the cell and the error."""


def demo_notebook(ctx: CliContext, ws: Workspace) -> dict[str, Any]:
    """Execute the demo notebook against ``ws``; report its runs and where it was saved."""
    require("nbclient", "notebook")
    require("ipykernel", "notebook")
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from jupyter_mlws.notebooks.kernels import start_kernel

    folder = ws.root / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    if not ctx.json:
        ctx.out.text(f"[mlws] executing a notebook that uses %%run and %mlws ({len(CELLS)} cells)")
    started = time.monotonic()
    previous = os.environ.get("MLWS_WORKSPACE")
    os.environ["MLWS_WORKSPACE"] = str(ws.root)  # the kernel inherits it: same workspace
    try:
        # Started as notebook runs start theirs: in our process group, its start-up
        # chatter (ipykernel's TCP warning) kept off the user's terminal.
        kernel = start_kernel("python3", cwd=folder)
    finally:
        _restore_env(previous)
    client = NotebookClient(
        nb, timeout=600, km=kernel.manager, resources={"metadata": {"path": str(folder)}}
    )
    client.kc = kernel.client  # connected and checked already
    try:
        client.execute()
    except CellExecutionError as exc:
        raise DemoNotebookError(f"the demo notebook failed: {_first_line(exc)}") from None
    finally:
        kernel.finish()  # flushes what the kernel's inline runs logged, then kills it
        path = folder / DEMO_NOTEBOOK
        nbformat.write(nb, path)
    rows = [
        {
            "run": f"{EXPERIMENT}:{r.number}",
            "name": r.display_name,
            "kind": r.record.kind,
            "status": r.refresh().status.value,
            "params": r.record.params,
        }
        for r in reversed(ws.experiment(EXPERIMENT).get_runs(limit=2))
    ]
    summary = {
        "notebook": str(path),
        "seconds": round(time.monotonic() - started, 1),
        "runs": rows,
    }
    if not ctx.json:
        ctx.out.table(rows, ["run", "name", "kind", "status", "params"])
        ctx.out.text(f"[mlws] executed notebook, with its widgets, saved to {path}")
    return summary


def _first_line(exc: Exception) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


def _restore_env(previous: str | None) -> None:
    if previous is None:
        os.environ.pop("MLWS_WORKSPACE", None)
    else:
        os.environ["MLWS_WORKSPACE"] = previous
