"""Reading the outputs of executed notebook cells."""

from __future__ import annotations

from typing import Any

from jupyter_mlws import Workspace

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def outputs(cell: Any, kind: str | None = None) -> list[Any]:
    return [o for o in cell.outputs if kind is None or o.output_type == kind]


def stdout(cell: Any) -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def stderr(cell: Any) -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr")


def error(cell: Any) -> Any | None:
    errors = outputs(cell, "error")
    return errors[0] if errors else None


def has_widget(cell: Any) -> bool:
    return any(WIDGET_MIME in o.get("data", {}) for o in cell.outputs)


def all_runs(ws: Workspace) -> list[Any]:
    records, _ = ws.store.list_runs(limit=1000)
    return records
