"""A tail of a run's logs with a picker for which log file to show."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from jupyter_mlws.services import runs
from jupyter_mlws.services.runs import LOG_NAME
from jupyter_mlws.tracking import Workspace
from jupyter_mlws.widgets.html import pre

TAIL_CHARS = 20_000


class LogViewer(w.VBox):
    def __init__(self, **kwargs: Any) -> None:
        self.view = w.HTML(pre("(no output yet)"))
        super().__init__(children=[self.view], **kwargs)
        # built with the first log: most views start before their run has printed, and
        # every widget costs a message to the front end
        self.picker: w.Dropdown | None = None
        self.text = ""
        self.names: list[str] = []
        self._offset = 0
        self._ws: Workspace | None = None
        self._run_id = ""

    @property
    def current(self) -> str | None:
        return self.picker.value if self.picker is not None else None

    def update(self, ws: Workspace, run_id: str) -> bool:
        self._ws, self._run_id = ws, run_id
        names = runs.log_names(ws, run_id)
        changed = False
        if names != self.names:
            self.names = names
            self._show_names(names)
            changed = True
        name = self.current
        if name is not None:
            changed = self._tail(ws, run_id, name) or changed
        return changed

    def _show_names(self, names: list[str]) -> None:
        chosen = self.current if self.current in names else None
        chosen = chosen or (LOG_NAME if LOG_NAME in names else names[0])
        if self.picker is None:
            self.picker = w.Dropdown(
                options=names, value=chosen, description="log", layout={"width": "340px"}
            )
            self.picker.observe(self._picked, names="value")
            self.children = [self.picker, self.view]
        else:
            self.picker.options = names
            self.picker.value = chosen

    def _picked(self, change: dict[str, Any]) -> None:
        self.text, self._offset = "", 0
        if self._ws is not None and change["new"] is not None:
            self._tail(self._ws, self._run_id, change["new"])

    def _tail(self, ws: Workspace, run_id: str, name: str) -> bool:
        if self._offset == 0:
            self._offset = max(0, runs.log_size(ws, run_id, name) - TAIL_CHARS)
        piece = runs.read_log(ws, run_id, name, self._offset)
        self._offset = piece.next_offset
        if not piece.text:
            return False
        self.text = (self.text + piece.text)[-TAIL_CHARS:]
        self.view.value = pre(self.text)
        return True
