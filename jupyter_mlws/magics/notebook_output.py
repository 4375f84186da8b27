"""The ``Output`` of ``%mlws`` in a notebook: HTML tables, and widgets for runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from IPython.display import HTML, display

from jupyter_mlws.cli.output import Output, Row
from jupyter_mlws.tracking.run import Run
from jupyter_mlws.widgets import html
from jupyter_mlws.workspace import Workspace

_RUN_FIELDS = frozenset({"id", "experiment", "number", "status", "kind", "compute", "params"})


def is_run_dict(data: Any) -> bool:
    """A command's data that is a whole run (``run show``, ``run submit``, ``run cancel``)."""
    return isinstance(data, Mapping) and data.keys() >= _RUN_FIELDS


class NotebookOutput(Output):
    def __init__(self, workspace: Callable[[], Workspace]) -> None:
        super().__init__()
        self._workspace = workspace

    def table(self, rows: Sequence[Row], columns: Sequence[str], data: Any = None) -> None:
        display(HTML(html.table(rows, columns)))

    def record(self, fields: Mapping[str, Any], data: Any = None) -> None:
        if is_run_dict(data):
            self.object(Run(self._workspace(), data["id"]))
            return
        display(HTML(html.key_values("", fields)))

    def object(self, obj: Any) -> None:
        display(obj)  # the formatters registered by the extension make it a widget
