"""A pipeline run's steps, live: the DAG (nodes coloured by status, reused steps marked,
why each step ran or was reused on hover; click a step to open its run) and a table.

``RunDetails`` shows it as the first tab of a pipeline run. The graph's shape comes
from the run's definition and never changes, so it is laid out once; a refresh only
restyles the nodes (colour, marker, label, hover text), and only when a step moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go

from jupyter_mlws.pipeline import PipelineRun, StepRun
from jupyter_mlws.tracking import Run
from jupyter_mlws.widgets import html
from jupyter_mlws.widgets.static_view import svg_image
from jupyter_mlws.widgets.sweep_view import status_color

NODE_SIZE = 26
RAN_SYMBOL = "circle"
REUSED_SYMBOL = "diamond"  # a reused step: its outputs come from an earlier run
REUSED_BADGE = "♻"


# ---- what the views show (plain data) -----------------------------------------------------
def layers(steps: Sequence[StepRun]) -> dict[str, tuple[int, int]]:
    """Each step's (column, row): its column is its depth below the steps it reads."""
    depth: dict[str, int] = {}
    for step in steps:  # in the pipeline's order: a step comes after what it reads
        depth[step.name] = 1 + max((depth.get(d, 0) for d in step.depends_on), default=-1)
    rows: dict[int, int] = {}
    place: dict[str, tuple[int, int]] = {}
    for step in steps:
        column = depth[step.name]
        place[step.name] = (column, rows.get(column, 0))
        rows[column] = rows.get(column, 0) + 1
    return place


def positions(steps: Sequence[StepRun]) -> dict[str, tuple[float, float]]:
    """Layer columns left to right, each column's steps centred on y = 0."""
    place = layers(steps)
    height: dict[int, int] = {}
    for column, row in place.values():
        height[column] = max(height.get(column, 0), row + 1)
    return {
        name: (float(column), (height[column] - 1) / 2 - row)
        for name, (column, row) in place.items()
    }


def edges(steps: Sequence[StepRun]) -> list[tuple[str, str]]:
    return [(dep, s.name) for s in steps for dep in s.depends_on]


def label(step: StepRun) -> str:
    return f"{step.name} {REUSED_BADGE}" if step.reused else step.name


def hover(step: StepRun) -> str:
    lines = [f"<b>{html.esc(step.name)}</b>", html.esc(step.status)]
    if step.reused:
        lines.append(f"reused from run {html.esc(step.reused_from)}")
    if step.reason:
        lines.append(html.esc(step.reason))
    if step.inputs:
        lines.append("inputs: " + html.esc(", ".join(step.inputs)))
    if step.outputs:
        lines.append("outputs: " + html.esc(", ".join(step.outputs)))
    return "<br>".join(lines)


def steps_table_html(steps: Sequence[StepRun]) -> str:
    if not steps:
        return "<i>no steps</i>"
    head = "".join(
        f"<th style='text-align:left'>{c}</th>"
        for c in ("step", "status", "reused", "why", "run", "after")
    )
    body = []
    for s in steps:
        run = s.run.record if s.run is not None else None
        ref = f"{run.experiment_name}:{run.number}" if run is not None else ""
        cells = [
            f"<b>{html.esc(s.name)}</b>",
            _status_badge(s.status),
            f"{REUSED_BADGE} reused" if s.reused else "",
            html.esc(s.reason or ""),
            html.esc(ref),
            html.esc(", ".join(s.depends_on)),
        ]
        body.append(
            f"<tr data-step='{html.esc(s.name)}'>"
            + "".join(f"<td style='text-align:left'>{c}</td>" for c in cells)
            + "</tr>"
        )
    return (
        "<table class='mlws-table mlws-steps' style='margin-left:0'><thead><tr>"
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _status_badge(status: str) -> str:
    return (
        f'<span class="mlws-status" style="background:{status_color(status)};color:white;'
        f'border-radius:8px;padding:1px 8px;font-size:0.85em">{html.esc(status)}</span>'
    )


def dag_svg(steps: Sequence[StepRun]) -> str:
    """The DAG as an image for the saved notebook: nodes coloured by status."""
    if not steps:
        return ""
    at = positions(steps)
    columns = max(int(x) for x, _ in at.values()) + 1
    top = max(y for _, y in at.values())
    rows = round(top - min(y for _, y in at.values())) + 1
    dx, dy, pad = 150, 60, 40

    def xy(name: str) -> tuple[float, float]:
        x, y = at[name]
        return pad + x * dx, pad + (top - y) * dy

    parts = []
    for a, b in edges(steps):
        (x1, y1), (x2, y2) = xy(a), xy(b)
        parts.append(
            f"<line x1='{x1:.0f}' y1='{y1:.0f}' x2='{x2:.0f}' y2='{y2:.0f}' stroke='#9ca3af'/>"
        )
    for s in steps:
        x, y = xy(s.name)
        color = status_color(s.status)
        if s.reused:
            shape = (
                f"<polygon points='{x},{y - 12} {x + 12},{y} {x},{y + 12} {x - 12},{y}' "
                f"fill='{color}'/>"
            )
        else:
            shape = f"<circle cx='{x}' cy='{y}' r='11' fill='{color}'/>"
        parts.append(
            f"<g>{shape}<title>{html.esc(s.status)}: {html.esc(s.reason or '')}</title>"
            f"<text x='{x}' y='{y + 26}' font-size='11' text-anchor='middle'>"
            f"{html.esc(label(s))}</text></g>"
        )
    width, height = 2 * pad + (columns - 1) * dx, 2 * pad + (rows - 1) * dy
    body = "".join(parts)
    return svg_image(body, width, height, alt="pipeline steps")


def pipeline_static_html(run: Run) -> str:
    """The DAG and the step table (what a saved notebook keeps)."""
    steps = PipelineRun(run.workspace, run.id).get_steps()
    return f"<div>{dag_svg(steps)}</div>{steps_table_html(steps)}"


# ---- the live widget --------------------------------------------------------------------
class PipelineView(w.VBox):
    def __init__(self, run: Run) -> None:
        self.run = PipelineRun(run.workspace, run.id, record=run.record)
        self.steps: list[StepRun] = []
        self._seen: list[tuple[Any, ...]] | None = None
        self.created = 0
        self.dag: go.FigureWidget | None = None
        self._shown = False
        self.table = w.HTML("<i>no steps</i>")
        self.picker = w.Dropdown(description="open step", options=[], value=None)
        self.picker.observe(self._picked, names="value")
        self.opened = w.VBox()
        super().__init__(children=[self.table])
        self.add_class("mlws-pipeline-view")

    def update(self) -> bool:
        changed = False
        if self.dag is not None and not self._shown:
            self._show()  # made by the previous refresh: now its data is there
            changed = True
        steps = self.run.get_steps()
        seen = [(s.name, s.status, s.id, s.reused_from, s.reason, s.depends_on) for s in steps]
        if seen == self._seen:
            return changed
        self._seen, self.steps = seen, steps
        self.table.value = steps_table_html(steps)
        openable = [s.name for s in steps if s.run is not None]
        if list(self.picker.options) != openable:
            self.picker.options = openable
            self.picker.value = None
        if self.dag is None:
            self._make_dag()
        else:
            self._draw_nodes()
        return True

    def settle(self) -> None:
        if self.dag is not None and not self._shown:
            self._show()

    def _show(self) -> None:
        assert self.dag is not None
        self._shown = True
        self.children = [self.dag, self.table, self.picker, self.opened]

    # ---- opening a step ------------------------------------------------------------------
    def open_step(self, name: str) -> Any:
        """The step's ``RunDetails`` underneath (the earlier run, for a reused step)."""
        from jupyter_mlws.widgets.run_details import RunDetails

        step = next((s for s in self.steps if s.name == name), None)
        if step is None or step.run is None:
            self.opened.children = [w.HTML(html.message(f"step {name!r} has no run yet"))]
            return None
        for old in self.opened.children:
            old.close()
        details = RunDetails(step.run)
        self.opened.children = [details]
        return details

    def _picked(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.open_step(change["new"])

    def _clicked(self, _trace: Any, points: Any, _selector: Any) -> None:
        for index in getattr(points, "point_inds", []):
            if 0 <= index < len(self.steps):
                self.open_step(self.steps[index].name)

    # ---- the figure ----------------------------------------------------------------------
    def _node_style(self) -> dict[str, Any]:
        return {
            "text": [label(s) for s in self.steps],
            "hovertext": [hover(s) for s in self.steps],
            "customdata": [s.name for s in self.steps],
            "marker": {
                "color": [status_color(s.status) for s in self.steps],
                "symbol": [REUSED_SYMBOL if s.reused else RAN_SYMBOL for s in self.steps],
                "size": NODE_SIZE,
                "line": {"color": "#111827", "width": [2 if s.reused else 0 for s in self.steps]},
            },
        }

    def _make_dag(self) -> None:
        at = positions(self.steps)
        ex: list[float | None] = []
        ey: list[float | None] = []
        for a, b in edges(self.steps):
            ex += [at[a][0], at[b][0], None]
            ey += [at[a][1], at[b][1], None]
        arrows = [
            {
                "x": at[b][0],
                "y": at[b][1],
                "ax": at[a][0],
                "ay": at[a][1],
                "xref": "x",
                "yref": "y",
                "axref": "x",
                "ayref": "y",
                "showarrow": True,
                "arrowhead": 2,
                "standoff": NODE_SIZE / 2 + 2,
                "startstandoff": NODE_SIZE / 2 + 2,
                "arrowcolor": "#9ca3af",
                "text": "",
            }
            for a, b in edges(self.steps)
        ]
        nodes = {
            "type": "scatter",
            "mode": "markers+text",
            "x": [at[s.name][0] for s in self.steps],
            "y": [at[s.name][1] for s in self.steps],
            "textposition": "bottom center",
            "hoverinfo": "text",
            **self._node_style(),
        }
        edge_trace = {
            "type": "scatter",
            "mode": "lines",
            "x": ex,
            "y": ey,
            "hoverinfo": "skip",
            "line": {"color": "#d1d5db", "width": 1},
        }
        columns = max((x for x, _ in at.values()), default=0.0)
        height = max((abs(y) for _, y in at.values()), default=0.0)
        hidden = {"visible": False, "fixedrange": True}
        self.dag = go.FigureWidget(
            data=[edge_trace, nodes],
            layout={
                "height": max(200, int(140 + 110 * height * 2)),
                "margin": {"l": 20, "r": 20, "t": 20, "b": 20},
                "showlegend": False,
                "annotations": arrows,
                "xaxis": {**hidden, "range": [-0.5, columns + 0.5]},
                "yaxis": {**hidden, "range": [-height - 0.8, height + 0.5]},
                "plot_bgcolor": "rgba(0,0,0,0)",
            },
            _validate=False,
        )
        self.dag.data[1].on_click(self._clicked)
        self.created += 1

    def _draw_nodes(self) -> None:
        assert self.dag is not None
        style = self._node_style()
        # plotly_restyle: the one update path that reaches the front end (metric_charts)
        self.dag.plotly_restyle({k: [v] for k, v in style.items()}, trace_indexes=1)
        self.dag._widget_data = deepcopy(self.dag._data)  # for views drawn later

    def node_data(self) -> dict[str, list[Any]]:
        """What the DAG's nodes show, by step order (for tests and callers)."""
        assert self.dag is not None
        nodes = self.dag._data[1]
        return {
            "name": list(nodes["customdata"]),
            "color": list(nodes["marker"]["color"]),
            "symbol": list(nodes["marker"]["symbol"]),
            "text": list(nodes["text"]),
            "hover": list(nodes["hovertext"]),
        }
