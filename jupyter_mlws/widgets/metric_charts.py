"""One live chart per scalar metric of a run (step on x), redrawn only when it grew.

Charts are refreshed from a background thread while the user's loop runs in the
same process, so every millisecond here is taken from that loop: the data goes to
plotly as numpy views of the stored columns, and figures we build ourselves skip
plotly's (slow, pure-Python) validation of what is already known to be valid.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import numpy as np
import plotly.graph_objects as go

from jupyter_mlws.entities import LatestMetric
from jupyter_mlws.services import runs
from jupyter_mlws.services.runs import MetricSeries
from jupyter_mlws.tracking import Workspace

MAX_POINTS = 1000  # per chart; the store keeps each bucket's min and max when it thins


def as_arrays(series: MetricSeries) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(series.steps, dtype=np.int64), np.asarray(series.values, dtype=np.float64)


def metric_figure(
    title: str, traces: list[dict[str, Any]] | None = None, height: int = 260
) -> go.FigureWidget:
    layout = {
        "title": {"text": title, "font": {"size": 13}},
        "height": height,
        "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
        "xaxis": {"title": {"text": "step"}},
        "showlegend": False,
    }
    return go.FigureWidget(data=traces or [], layout=layout, _validate=False)


class MetricCharts(w.VBox):
    """Charts keyed by metric name; ``update`` redraws the series whose count changed."""

    created = 0  # figures made so far (each sends plotly's bundle to the front end once)

    def __init__(self, **kwargs: Any) -> None:
        self.empty = w.HTML("<i>no metrics logged yet</i>")
        super().__init__(children=[self.empty], **kwargs)
        self.figures: dict[str, go.FigureWidget] = {}
        self._counts: dict[str, int] = {}

    def update(self, ws: Workspace, run_id: str, latest: list[LatestMetric]) -> bool:
        changed = False
        for metric in latest:
            if self._counts.get(metric.key) == metric.count:
                continue
            steps, values = as_arrays(runs.metric_series(ws, run_id, metric.key, MAX_POINTS))
            figure = self.figures.get(metric.key)
            if figure is None:
                trace = {"type": "scatter", "x": steps, "y": values, "mode": "lines"}
                self.figures[metric.key] = metric_figure(metric.key, [trace])
                self.created += 1
            else:
                with figure.batch_update():
                    figure.data[0].x = steps
                    figure.data[0].y = values
            self._counts[metric.key] = metric.count
            changed = True
        if changed:
            self.children = [self.figures[k] for k in sorted(self.figures)]
        return changed

    def points(self, key: str) -> tuple[list[int], list[float]]:
        """What the chart of ``key`` shows (for tests and callers)."""
        trace = self.figures[key].data[0]
        return [int(s) for s in trace.x], [float(v) for v in trace.y]
