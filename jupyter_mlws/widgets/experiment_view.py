"""``ExperimentView``: an experiment's runs as a sortable table, selected runs' curves
overlaid, and a parallel-coordinates chart of params against a chosen metric."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go

from jupyter_mlws.exceptions import MlwsError
from jupyter_mlws.services import experiments, runs
from jupyter_mlws.tracking import Experiment, Run, Workspace
from jupyter_mlws.widgets import html
from jupyter_mlws.widgets.metric_charts import MAX_POINTS, as_arrays, metric_figure
from jupyter_mlws.widgets.run_table import RunTable
from jupyter_mlws.widgets.static_view import runs_html, with_static

OVERLAY_LATEST = 3  # the overlay starts with the newest few runs, not an empty plot


class ExperimentView(w.VBox):
    def __init__(
        self,
        experiment: Experiment | str,
        workspace: Workspace | None = None,
        *,
        limit: int = 200,
    ) -> None:
        self.limit = limit
        self.header = w.HTML()
        self.refresh_button = w.Button(description="Refresh", icon="refresh")
        self.metric = w.Dropdown(options=[], description="metric")
        self.overlay = metric_figure("selected runs", height=320)
        self.overlay.layout.showlegend = True
        self.parallel = go.FigureWidget(layout={"height": 340, "margin": {"l": 60, "r": 60}})
        self.table: RunTable = RunTable([])
        self.table_box = w.VBox([self.table])
        self.charts = w.Tab(children=[self.overlay, self.parallel])
        self.charts.set_title(0, "Overlay")
        self.charts.set_title(1, "Params vs metric")
        super().__init__(
            children=[
                w.HBox([self.header, self.refresh_button]),
                self.table_box,
                self.metric,
                self.charts,
            ]
        )
        self.add_class("mlws-experiment-view")
        self.experiment: Experiment | None = None
        self._first = True
        try:
            self.experiment = (
                experiment
                if isinstance(experiment, Experiment)
                else _find_experiment(workspace or Workspace.current(), experiment)
            )
        except MlwsError as exc:
            self.header.value = html.message(f"cannot show this experiment: {exc.message}", "error")
            self.charts.layout.display = "none"
            return
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.metric.observe(lambda _c: self._draw(), names="value")
        self.refresh()

    def refresh(self) -> None:
        assert self.experiment is not None
        runs = self.experiment.get_runs(limit=self.limit)
        selected = set(self.table.selected_ids)
        if self._first:  # runs come newest first
            self._first = False
            selected = {r.id for r in runs[:OVERLAY_LATEST]}
        self.table.close()
        self.table = RunTable(runs, on_select=lambda _runs: self._draw_overlay())
        self.table.selected_ids = [r.id for r in runs if r.id in selected]
        self.table.render()
        self.table_box.children = [self.table]
        self.header.value = f"<b>{html.esc(self.experiment.name)}</b> · {len(runs)} runs" + (
            f" (newest {self.limit})" if len(runs) >= self.limit else ""
        )
        keys = sorted({k for r in runs for k in r.record.metrics})
        if list(self.metric.options) != keys:
            current = self.metric.value
            self.metric.options = keys
            self.metric.value = current if current in keys else (keys[0] if keys else None)
        self._draw()

    @property
    def runs(self) -> list[Run]:
        return self.table.runs

    def static_html(self) -> str:
        name = self.experiment.name if self.experiment else ""
        return self.header.value if not name else runs_html(self.runs, name)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        return None if bundle is None else with_static(bundle, self.static_html(), "experiment")

    def select(self, runs: Sequence[Run | str]) -> None:
        self.table.select([r.id if isinstance(r, Run) else r for r in runs])

    # ---- charts ---------------------------------------------------------------------
    def _draw(self) -> None:
        self._draw_overlay()
        self._draw_parallel()

    def _draw_overlay(self) -> None:
        key = self.metric.value
        traces: list[dict[str, Any]] = []
        for run in self.table.selected if key else []:
            if key not in run.record.metrics:
                continue
            steps, values = as_arrays(runs.metric_series(run.workspace, run.id, key, MAX_POINTS))
            r = run.record
            traces.append(
                {
                    "x": steps,
                    "y": values,
                    "name": f"{r.experiment_name}:{r.number} {r.display_name}",
                    "mode": "lines",
                }
            )
        with self.overlay.batch_update():
            self.overlay.data = []
            for trace in traces:
                self.overlay.add_scatter(**trace)
            self.overlay.layout.title.text = (
                f"{key} of selected runs" if traces else "tick runs in the table to overlay them"
            )

    def _draw_parallel(self) -> None:
        key = self.metric.value
        runs = [r for r in self.runs if key and key in r.record.metrics]
        dimensions = parallel_dimensions(runs, key) if runs else []
        with self.parallel.batch_update():
            self.parallel.data = []
            if dimensions:
                values = dimensions[-1]["values"]
                self.parallel.add_parcoords(
                    dimensions=dimensions,
                    line={"color": values, "colorscale": "Viridis", "showscale": True},
                )
            self.parallel.layout.title = {"text": f"params vs {key}" if dimensions else ""}


def parallel_dimensions(runs: Sequence[Run], metric: str) -> list[dict[str, Any]]:
    """One axis per param (numbers as numbers, other values as categories), metric last."""
    names = sorted({k for r in runs for k in r.record.params})
    dimensions: list[dict[str, Any]] = []
    for name in names:
        raw = [r.record.params.get(name) for r in runs]
        numbers = [_as_float(v) for v in raw]
        if all(n is not None for n in numbers):
            dimensions.append({"label": name, "values": numbers})
            continue
        labels = sorted({str(v) for v in raw})
        index = {label: i for i, label in enumerate(labels)}
        dimensions.append(
            {
                "label": name,
                "values": [index[str(v)] for v in raw],
                "tickvals": list(range(len(labels))),
                "ticktext": labels,
            }
        )
    dimensions.append({"label": metric, "values": [r.record.metrics[metric] for r in runs]})
    return dimensions


def _as_float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _find_experiment(ws: Workspace, name: str) -> Experiment:
    experiments.get_experiment(ws, name)  # unknown → ResourceNotFoundError, never created
    return ws.experiment(name)
