"""``RunTable``: runs as a sortable table; tick rows to select them, click one to open it.

A list of runs shown as a cell's value is a ``RunTable``; ``ExperimentView`` builds on
it to overlay the selected runs' curves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as w

from jupyter_mlws.entities import RunRecord
from jupyter_mlws.formatting import fmt, fmt_duration, fmt_time
from jupyter_mlws.tracking import Run
from jupyter_mlws.widgets import html
from jupyter_mlws.widgets.static_view import runs_html, with_static

BASE_COLUMNS = ("run", "name", "status", "duration", "created")


def sort_value(record: RunRecord, column: str) -> tuple[int, Any]:
    """A key that sorts numbers as numbers and puts missing values last."""
    if column == "run":
        value: Any = (record.experiment_name, record.number)
    elif column == "name":
        value = record.display_name
    elif column == "status":
        value = record.status.value
    elif column == "duration":
        value = record.duration_ms
    elif column == "created":
        value = record.created_ms
    elif column.startswith("param:"):
        value = _number_or_text(record.params.get(column[6:]))
    elif column.startswith("metric:"):
        value = record.metrics.get(column[7:])
    else:
        value = None
    if value is None:
        return (1, 0)
    return (0, value) if not isinstance(value, str) else (0, (1, value))


def _number_or_text(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return (0, float(text))
    except ValueError:
        return (1, text)


class RunTable(w.VBox):
    def __init__(
        self,
        runs: Sequence[Run],
        *,
        selectable: bool = True,
        on_select: Callable[[list[Run]], None] | None = None,
        max_rows: int = 200,
    ) -> None:
        self.runs = list(runs)[:max_rows]
        self.selectable = selectable
        self.on_select = on_select
        self.sort_column = "created"
        self.descending = True
        self.selected_ids: list[str] = []
        self.grid = w.GridBox()
        self.opened = w.VBox()
        note = (
            w.HTML(f"<small>showing {max_rows} of {len(runs)} runs</small>")
            if len(runs) > max_rows
            else w.HTML()
        )
        super().__init__(children=[self.grid, note, self.opened])
        self.add_class("mlws-run-table")
        self.columns = self._columns()
        self.render()

    def _columns(self) -> list[str]:
        params = sorted({k for r in self.runs for k in r.record.params})
        metrics = sorted({k for r in self.runs for k in r.record.metrics})
        return [*BASE_COLUMNS, *(f"param:{p}" for p in params), *(f"metric:{m}" for m in metrics)]

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        return None if bundle is None else with_static(bundle, runs_html(self.ordered()), "runs")

    # ---- sorting and selecting ------------------------------------------------------
    def sort_by(self, column: str, descending: bool | None = None) -> None:
        if descending is None:
            descending = not self.descending if column == self.sort_column else False
        self.sort_column, self.descending = column, descending
        self.render()

    def select(self, run_ids: Sequence[str]) -> None:
        self.selected_ids = [r.id for r in self.runs if r.id in set(run_ids)]
        self.render()
        self._notify()

    @property
    def selected(self) -> list[Run]:
        chosen = set(self.selected_ids)
        return [r for r in self.runs if r.id in chosen]

    def ordered(self) -> list[Run]:
        return sorted(
            self.runs,
            key=lambda r: sort_value(r.record, self.sort_column),
            reverse=self.descending,
        )

    def _toggle(self, run_id: str, on: bool) -> None:
        ids = set(self.selected_ids)
        if on:
            ids.add(run_id)
        else:
            ids.discard(run_id)
        self.selected_ids = [r.id for r in self.runs if r.id in ids]
        self._notify()

    def _notify(self) -> None:
        if self.on_select is not None:
            self.on_select(self.selected)

    def open_run(self, run: Run) -> Any:
        from jupyter_mlws.widgets.run_details import RunDetails

        for old in self.opened.children:
            old.close()
        details = RunDetails(run)
        self.opened.children = [details]
        return details

    # ---- drawing --------------------------------------------------------------------
    def render(self) -> None:
        cells: list[w.Widget] = []
        if self.selectable:
            cells.append(w.HTML(""))
        for column in self.columns:
            arrow = ""
            if column == self.sort_column:
                arrow = " ▼" if self.descending else " ▲"
            label = column.split(":", 1)[-1]
            button = w.Button(
                description=label + arrow,
                tooltip=f"sort by {column}",
                layout={"width": "auto"},
            )
            button.on_click(lambda _b, c=column: self.sort_by(c))
            cells.append(button)
        for run in self.ordered():
            cells.extend(self._row(run))
        width = ("28px " if self.selectable else "") + " ".join(["auto"] * len(self.columns))
        self.grid.layout.grid_template_columns = width
        self.grid.children = cells

    def _row(self, run: Run) -> list[w.Widget]:
        r = run.record
        row: list[w.Widget] = []
        if self.selectable:
            box = w.Checkbox(value=run.id in self.selected_ids, indent=False)
            box.observe(lambda ch, rid=run.id: self._toggle(rid, ch["new"]), names="value")
            row.append(box)
        for column in self.columns:
            if column == "run":
                link = w.Button(
                    description=f"{r.experiment_name}:{r.number}",
                    tooltip=f"open {r.id}",
                    layout={"width": "auto"},
                )
                link.on_click(lambda _b, run=run: self.open_run(run))
                row.append(link)
            else:
                row.append(w.HTML(_cell(r, column)))
        return row


def _cell(r: RunRecord, column: str) -> str:
    if column == "status":
        return html.badge(r.status)
    if column == "name":
        return html.esc(r.display_name)
    if column == "duration":
        return fmt_duration(r.duration_ms)
    if column == "created":
        return fmt_time(r.created_ms)
    if column.startswith("param:"):
        return html.esc(r.params.get(column[6:], ""))
    if column.startswith("metric:"):
        value = r.metrics.get(column[7:])
        return "" if value is None else html.esc(fmt(value))
    return ""
