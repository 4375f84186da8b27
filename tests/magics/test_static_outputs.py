"""Widget outputs keep a static face (issue 17): a saved notebook still shows results.

The notebook is executed on a real kernel by nbclient, as a notebook run or
``jupyter nbconvert --execute`` would; what it writes into the cells is what a
reopened notebook, a code host or a reader without a kernel sees.
"""

from __future__ import annotations

import base64
import re
import textwrap
from typing import Any

from .kernel_outputs import WIDGET_MIME, error

LOAD = "%load_ext jupyter_mlws"
VIEW_MIME = "application/vnd.mlws.view+json"

TRAIN = textwrap.dedent(
    """\
    %%run -e static
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from jupyter_mlws import Run
    run = Run.get_context()
    for step in range(20):
        run.log("loss", 1.0 / (step + 1))
        run.log_row("per_epoch", epoch=step, lr=0.1)
    run.log_table("confusion", {"label": ["cat", "dog"], "cat": [9, 1], "dog": [2, 8]})
    plt.plot([1, 3, 2])
    run.log_image("curve", plot=plt.gcf())
    """
)


# the run ends, then its live view sees that and refreshes its output (its thread ends)
WAIT = textwrap.dedent(
    """\
    import threading
    _mlws_run.wait_for_completion(timeout=120)
    for thread in threading.enumerate():
        if thread.name == "mlws-widget-refresh":
            thread.join(120)
    """
)


def _html(cell: Any) -> str:
    return "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)


def test_submitted_cell_output_ends_with_the_final_static_view(execute: Any) -> None:
    nb = execute([LOAD, TRAIN, WAIT])
    assert error(nb.cells[1]) is None and error(nb.cells[2]) is None, nb.cells[2].outputs
    (output,) = [o for o in nb.cells[1].outputs if o.output_type == "display_data"]
    data = output["data"]
    assert WIDGET_MIME in data and VIEW_MIME in data  # live where a kernel is, static else
    static = data["text/html"]
    # the view refreshed its output when the run ended: the saved state is the final one
    assert "Completed" in static and "Running" not in static
    assert "static:1" in static
    (chart,) = re.findall(
        r"class='mlws-static-chart'[^>]*src='data:image/svg\+xml;base64,([^']+)'", static
    )
    assert "<polyline" in base64.b64decode(chart).decode() and "metric loss" in static
    assert "metric loss" in static and "0.05" in static  # latest value in the summary
    assert "data-name='confusion'" in static and ">dog<" in static  # the logged table
    assert "data-name='per_epoch'" in static and static.count("<tr>") > 20  # rows
    assert "src='data:image/png;base64," in static  # the logged image, inline


def test_run_shown_as_a_cell_value_and_experiment_views_carry_static_html(execute: Any) -> None:
    nb = execute(
        [
            LOAD,
            "%%run --inline -e shown\nfrom jupyter_mlws import Run\n"
            "Run.get_context().log('acc', 0.75)",
            "from jupyter_mlws import Workspace\nWorkspace.current().get_run(_mlws_run.id)",
            "Workspace.current().experiment('shown')",
            "Workspace.current().experiment('shown').get_runs()",
        ]
    )
    for index, marker in ((2, "shown:1"), (3, "shown"), (4, "shown:1")):
        assert error(nb.cells[index]) is None, nb.cells[index].outputs
        static = _html(nb.cells[index])
        assert marker in static and "0.75" in static, (index, static[:300])
    assert "Completed" in _html(nb.cells[2])
