"""One live chart per scalar metric of a run, laid out in a grid, redrawn when it grew.

The sampled ``system/*`` series are not charted here: ten more figures built and redrawn
in the kernel held every refresh back (the duty-cycle limit below then waited up to
20x as long), so the user's own curve stopped growing live. RunDetails shows their
peaks; the lab's run panel charts them.

Charts are refreshed from a background thread while the user's loop runs in the
same process, so every millisecond here is taken from that loop: the data goes to
plotly as numpy views of the stored columns, and figures we build ourselves skip
plotly's (slow, pure-Python) validation of what is already known to be valid.

Skipping validation has a price that once left every live chart empty: plotly's
unvalidated property setters change the Python figure without telling the front end
(``figure.data[0].x = …`` sends nothing), so a chart drew only the points it was
created with. Updates therefore go through ``plotly_restyle``/``plotly_relayout``,
which always send their message, validated or not. Two more front-end facts shape
this module: a view drawn later (the output re-rendered when the run ends, or the
same run shown again) draws from the figure's synced ``_widget_data``, which plotly
itself refreshes only when a figure is displayed on its own, so every redraw
refreshes it too; and a figure's data reaches the browser in an update just after
the figure itself, so a new chart joins the grid one refresh later, once its data
has arrived, rather than being drawn empty.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
import numpy as np
import plotly.graph_objects as go

from jupyter_mlws.entities import LatestMetric, is_system_metric
from jupyter_mlws.services import runs
from jupyter_mlws.services.runs import MetricSeries
from jupyter_mlws.tracking import Workspace

MAX_POINTS = 1000  # per chart; the store keeps each bucket's min and max when it thins
CHART_HEIGHT = 240
GRID_COLUMNS = "repeat(auto-fill, minmax(380px, 1fr))"

# x axes a chart offers: the metric's step, seconds since the run's first point, the clock
X_AXES = {"step": "step", "relative": "relative time (s)", "wall": "wall time"}


def as_arrays(series: MetricSeries) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(series.steps, dtype=np.int64), np.asarray(series.values, dtype=np.float64)


def x_values(series: MetricSeries, axis: str, origin_ms: int) -> np.ndarray:
    """The x of each point for ``axis`` (a key of ``X_AXES``)."""
    if axis == "step":
        return np.asarray(series.steps, dtype=np.int64)
    stamps = np.asarray(series.timestamps, dtype=np.int64)
    if axis == "relative":
        return (stamps - origin_ms) / 1000.0
    return stamps.astype("datetime64[ms]").astype(str)  # plotly reads ISO strings as dates


def metric_figure(
    title: str,
    traces: list[dict[str, Any]] | None = None,
    height: int = CHART_HEIGHT,
    x_title: str = "step",
) -> go.FigureWidget:
    layout = {
        "title": {"text": title, "font": {"size": 13}},
        "height": height,
        "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
        "xaxis": {"title": {"text": x_title}},
        "showlegend": False,
    }
    return go.FigureWidget(data=traces or [], layout=layout, _validate=False)


@dataclass
class _Chart:
    figure: go.FigureWidget
    series: MetricSeries
    count: int


class MetricCharts(w.VBox):
    """Charts keyed by metric name; ``update`` redraws the series whose count changed."""

    created = 0  # figures made so far (each sends plotly's bundle to the front end once)

    def __init__(self, **kwargs: Any) -> None:
        self.empty = w.HTML("<i>no metrics logged yet</i>")
        self.grid = w.GridBox(layout={"grid_template_columns": GRID_COLUMNS, "width": "100%"})
        super().__init__(children=[self.empty], **kwargs)
        self.charts: dict[str, _Chart] = {}
        self.axis = "step"
        self.origin_ms = 0
        # built with the first chart: every widget costs a message to the front end
        self.axis_picker: w.ToggleButtons | None = None

    @property
    def figures(self) -> dict[str, go.FigureWidget]:
        return {key: chart.figure for key, chart in self.charts.items()}

    def update(self, ws: Workspace, run_id: str, latest: list[LatestMetric]) -> bool:
        grew = False
        shown = len(self.grid.children)
        if len(self.charts) > shown:  # created by the previous refresh: now its data is there
            self.grid.children = self._ordered()
            grew = True
        if latest and not self.origin_ms:
            self.origin_ms = min(m.timestamp for m in latest)
        for metric in latest:
            if is_system_metric(metric.key):
                continue
            chart = self.charts.get(metric.key)
            if chart is not None and chart.count == metric.count:
                continue
            series = runs.metric_series(ws, run_id, metric.key, MAX_POINTS)
            if len(series.timestamps):
                self.origin_ms = min(self.origin_ms, series.timestamps[0])
            if chart is None:
                self._add(metric.key, series, metric.count)
            else:
                chart.series, chart.count = series, metric.count
                self._draw(chart)
            grew = True
        if grew and self.grid.children:
            self._show_grid()
        return grew

    def _show_grid(self) -> None:
        if self.axis_picker is None:
            self.axis_picker = w.ToggleButtons(
                options=[(label, key) for key, label in X_AXES.items()],
                value=self.axis,
                description="x axis",
                style={"button_width": "auto"},
            )
            self.axis_picker.observe(lambda ch: self.set_axis(ch["new"]), names="value")
            self.children = [self.axis_picker, self.grid]

    def set_axis(self, axis: str) -> None:
        """Redraw every chart against ``axis``: "step", "relative" or "wall"."""
        if axis not in X_AXES:
            raise ValueError(f"x axis must be one of {', '.join(X_AXES)}, got {axis!r}")
        self.axis = axis
        for chart in self.charts.values():
            self._draw(chart)
            chart.figure.plotly_relayout(
                {"xaxis.title.text": X_AXES[axis], "xaxis.type": "date" if axis == "wall" else "-"}
            )

    def _add(self, key: str, series: MetricSeries, count: int) -> None:
        trace = {
            "type": "scatter",
            "x": x_values(series, self.axis, self.origin_ms),
            "y": np.asarray(series.values, dtype=np.float64),
            "mode": "lines+markers" if len(series) < 2 else "lines",
        }
        figure = metric_figure(key, [trace], x_title=X_AXES[self.axis])
        self.charts[key] = _Chart(figure, series, count)
        self.created += 1

    def _draw(self, chart: _Chart) -> None:
        # plotly_restyle: the one update path that reaches the front end (module doc)
        chart.figure.plotly_restyle(
            {
                "x": [x_values(chart.series, self.axis, self.origin_ms)],
                "y": [np.asarray(chart.series.values, dtype=np.float64)],
                "mode": "lines+markers" if len(chart.series) < 2 else "lines",
            },
            trace_indexes=0,
        )
        chart.figure._widget_data = deepcopy(chart.figure._data)  # for views drawn later

    def _ordered(self) -> list[go.FigureWidget]:
        return [self.charts[k].figure for k in sorted(self.charts)]

    def settle(self) -> None:
        """Show every chart now (a view built at once, with no live front end to race)."""
        if len(self.grid.children) < len(self.charts):
            self.grid.children = self._ordered()
            self._show_grid()

    def points(self, key: str) -> tuple[list[Any], list[float]]:
        """What the chart of ``key`` shows (for tests and callers)."""
        trace = self.charts[key].figure.data[0]
        return [s.item() if hasattr(s, "item") else s for s in trace.x], [float(v) for v in trace.y]
