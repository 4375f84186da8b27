"""A sweep's trials, live: a table, parameters against the primary metric (parallel
coordinates) and the best value found so far.

``RunDetails`` shows it as the first tab of a sweep run. One refresh is two queries
(the trials, then every trial's metrics at once); when the rows did not change nothing
is redrawn, so a long idle sweep costs the refresher next to nothing. The figures
follow ``metric_charts``' rules (updates through ``plotly_restyle``, the synced copy
refreshed after each redraw, a new figure shown one refresh after it is made).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from copy import deepcopy
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go

from jupyter_mlws.entities import RunStatus
from jupyter_mlws.formatting import fmt, fmt_duration
from jupyter_mlws.hyperdrive import SweepRun, TrialRow
from jupyter_mlws.services import sweeps
from jupyter_mlws.tracking import Run
from jupyter_mlws.widgets import html
from jupyter_mlws.widgets.static_view import svg_chart

FIGURE_HEIGHT = 300
SORTS = {"trial": "trial", "metric": "primary metric (best first)", "status": "status"}


# ---- what the views show (plain data: the widget, the static view and tests share it) ----
def ordered(rows: Sequence[TrialRow], sort: str, maximize: bool) -> list[TrialRow]:
    """Trials by index, by primary metric (best first, trials without one last) or status."""
    if sort == "metric":
        scored = sorted(
            (r for r in rows if r.best is not None),
            key=lambda r: r.best or 0.0,
            reverse=maximize,
        )
        return scored + [r for r in rows if r.best is None]
    if sort == "status":
        return sorted(rows, key=lambda r: (r.status.value, r.index))
    return sorted(rows, key=lambda r: r.index)


def parameter_names(rows: Sequence[TrialRow]) -> list[str]:
    return list(dict.fromkeys(k for r in rows for k in r.hyperparameters))


def duration_ms(row: TrialRow) -> int | None:
    if row.started_ms is None or row.ended_ms is None:
        return None
    return row.ended_ms - row.started_ms


def table_rows(rows: Sequence[TrialRow], metric: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The trial table as rows of text and its columns."""
    names = parameter_names(rows)
    out = []
    for r in rows:
        row: dict[str, Any] = {
            "trial": r.index,
            "run": r.display_name,
            "status": r.status.value,
            **{n: r.hyperparameters.get(n, "") for n in names},
            metric: "" if r.best is None else fmt(r.best),
            "intervals": r.intervals,
            "duration": fmt_duration(duration_ms(r)),
            "decision": r.decision or "",
        }
        out.append(row)
    return out, ["trial", "run", "status", *names, metric, "intervals", "duration", "decision"]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parallel_dimensions(rows: Sequence[TrialRow], metric: str) -> list[dict[str, Any]]:
    """One axis per parameter, then the primary metric, over the trials that logged it.

    Numbers are plotted as they are; any other values (``choice("adam", "sgd")``) get one
    tick each, in the order they sort.
    """
    scored = [r for r in rows if r.best is not None]
    dims: list[dict[str, Any]] = []
    for name in parameter_names(rows):
        values: list[Any] = [r.hyperparameters.get(name) for r in scored]
        numbers = [float(v) for v in values if _is_number(v)]
        if len(numbers) == len(values):
            dims.append({"label": name, "values": numbers})
            continue
        ticks = sorted({str(v) for v in values})
        where = {t: i for i, t in enumerate(ticks)}
        dims.append(
            {
                "label": name,
                "values": [where[str(v)] for v in values],
                "tickvals": list(range(len(ticks))),
                "ticktext": ticks,
            }
        )
    dims.append({"label": metric, "values": [float(r.best or 0.0) for r in scored]})
    return dims


def best_so_far(rows: Sequence[TrialRow], maximize: bool) -> tuple[list[int], list[float]]:
    """After each trial (by index) that logged the metric: the best value of any so far."""
    xs: list[int] = []
    ys: list[float] = []
    best: float | None = None
    for r in sorted(rows, key=lambda r: r.index):
        if r.best is None or math.isnan(r.best):
            continue
        if best is None or (r.best > best if maximize else r.best < best):
            best = r.best
        xs.append(r.index)
        ys.append(best)
    return xs, ys


def status_color(status: RunStatus | str) -> str:
    try:
        parsed = status if isinstance(status, RunStatus) else RunStatus(status)
    except ValueError:
        return "#6b7280"
    return html.STATUS_COLORS.get(parsed, "#6b7280")


def sweep_static_html(sweep: SweepRun) -> str:
    """The final trial table and best-so-far curve (what a saved notebook keeps)."""
    rows = sweep.trial_rows()
    metric, maximize = sweep.primary_metric_name, sweep.maximize
    return (
        _summary(sweep, rows)
        + _table_html(ordered(rows, "metric", maximize), metric)
        + (svg_chart(f"best {metric} so far", *best_so_far(rows, maximize), x_label="trial"))
    )


def _summary(sweep: SweepRun, rows: Sequence[TrialRow]) -> str:
    spec = sweep.spec_summary()
    goal = "max" if sweep.maximize else "min"
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    states = ", ".join(f"{n} {s.lower()}" for s, n in sorted(counts.items())) or "none yet"
    best = _best(rows, sweep.maximize)
    found = (
        f" · best <b>{html.esc(fmt(best.best))}</b> ({html.esc(best.display_name)})" if best else ""
    )
    return (
        f"<div class='mlws-sweep-summary'><b>{html.esc(spec['primary_metric_name'])}</b> ({goal})"
        f" · {html.esc(spec['sampling'])} sampling · policy {html.esc(_policy(spec['policy']))}"
        f" · {len(rows)} of {spec['max_total_runs']} trials: {html.esc(states)}{found}</div>"
    )


def _policy(policy: Any) -> str:
    """``bandit (slack_factor=0.1, evaluation_interval=1)``."""
    if not isinstance(policy, dict):
        return str(policy or "none")
    args = ", ".join(f"{k}={fmt(v)}" for k, v in policy.items() if k != "kind" and v is not None)
    return f"{policy.get('kind', 'none')}" + (f" ({args})" if args else "")


def _best(rows: Sequence[TrialRow], maximize: bool) -> TrialRow | None:
    scored = [r for r in rows if r.best is not None]
    if not scored:
        return None
    return (max if maximize else min)(scored, key=lambda r: r.best or 0.0)


def _table_html(rows: Sequence[TrialRow], metric: str) -> str:
    if not rows:
        return "<i>no trials yet</i>"
    texts, columns = table_rows(rows, metric)
    head = "".join(f"<th style='text-align:left'>{html.esc(c)}</th>" for c in columns)
    body = []
    for r, text in zip(rows, texts, strict=True):
        cells = []
        for c in columns:
            value = html.badge(r.status) if c == "status" else html.esc(text[c])
            cells.append(f"<td style='text-align:left'>{value}</td>")
        body.append(f"<tr data-run-id='{r.run_id}'>{''.join(cells)}</tr>")
    return (
        "<table class='mlws-table mlws-trials' style='margin-left:0'><thead><tr>"
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


# ---- the live widget --------------------------------------------------------------------
class SweepView(w.VBox):
    """Built for a sweep run; ``update`` redraws what changed and says whether anything did."""

    def __init__(self, run: Run) -> None:
        self.sweep = sweeps.load_sweep(run.workspace, run.id)
        self.metric = self.sweep.primary_metric_name
        self.maximize = self.sweep.maximize
        self.rows: list[TrialRow] | None = None
        self.sort = "trial"
        self.created = 0  # figures made (a one-off cost for the refresher)
        self.summary = w.HTML()
        self.table = w.HTML("<i>no trials yet</i>")
        self.sorter = w.Dropdown(
            options=[(label, key) for key, label in SORTS.items()],
            value=self.sort,
            description="sort by",
        )
        self.sorter.observe(lambda ch: self.sort_by(ch["new"]), names="value")
        # A trial opens below the table (its own RunDetails): a picker rather than a
        # button per row, so a refresh of a 100-trial table redraws one HTML string.
        self.picker = w.Dropdown(options=[], description="trial", layout={"width": "auto"})
        self.open_button = w.Button(description="open", tooltip="open this trial's details")
        self.open_button.on_click(lambda _b: self.open_trial(self.picker.value))
        self.opened = w.VBox()
        self.parallel: go.FigureWidget | None = None
        self.progress: go.FigureWidget | None = None
        self._shown = False
        super().__init__(children=self._below([self.summary, self.sorter]))
        self.add_class("mlws-sweep-view")

    def _below(self, top: list[w.Widget]) -> list[w.Widget]:
        return [*top, self.table, w.HBox([self.picker, self.open_button]), self.opened]

    def open_trial(self, run_id: str | None) -> Any:
        """Show the trial's ``RunDetails`` under the table (the one opened before closes)."""
        if not run_id:
            return None
        from jupyter_mlws.widgets.run_details import RunDetails

        for old in self.opened.children:
            old.close()
        details = RunDetails(Run.get(self.sweep.workspace, run_id))
        self.opened.children = [details]
        return details

    def update(self) -> bool:
        changed = False
        if self.parallel is not None and not self._shown:
            self._show_figures()  # made by the previous refresh: now its data is there
            changed = True
        rows = self.sweep.trial_rows()
        if rows == self.rows:
            return changed
        self.rows = rows
        self.sweep.refresh()
        self.summary.value = _summary(self.sweep, rows)
        self._draw_table()
        if self.parallel is None:
            self._make_figures()
        else:
            self._draw_figures()
        return True

    def settle(self) -> None:
        """Show the figures now (no later refresh will)."""
        if self.parallel is not None and not self._shown:
            self._show_figures()

    def sort_by(self, sort: str) -> None:
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
        self.sort = sort
        if self.sorter.value != sort:
            self.sorter.value = sort
        self._draw_table()

    @property
    def shown_rows(self) -> list[TrialRow]:
        return ordered(self.rows or [], self.sort, self.maximize)

    def _draw_table(self) -> None:
        shown = self.shown_rows
        self.table.value = _table_html(shown, self.metric)
        options = [(f"{r.index}: {r.display_name}", r.run_id) for r in shown]
        if list(self.picker.options) != options:
            chosen = self.picker.value
            self.picker.options = options
            if chosen in {run_id for _, run_id in options}:
                self.picker.value = chosen

    def _show_figures(self) -> None:
        assert self.parallel is not None and self.progress is not None
        self._shown = True
        figures = w.HBox([self.parallel, self.progress], layout={"width": "100%"})
        self.children = self._below([self.summary, figures, self.sorter])

    # ---- figures -------------------------------------------------------------------------
    def _parallel_trace(self) -> dict[str, Any]:
        rows = self.rows or []
        dims = parallel_dimensions(rows, self.metric)
        colors = dims[-1]["values"]
        return {
            "type": "parcoords",
            "dimensions": dims,
            "line": {
                "color": colors,
                "colorscale": "Viridis",
                "reversescale": not self.maximize,
                "showscale": True,
                "colorbar": {"title": {"text": self.metric}},
            },
        }

    def _progress_traces(self) -> list[dict[str, Any]]:
        rows = sorted((r for r in self.rows or [] if r.best is not None), key=lambda r: r.index)
        xs, ys = best_so_far(rows, self.maximize)
        return [
            {
                "type": "scatter",
                "name": "trial",
                "mode": "markers",
                "x": [r.index for r in rows],
                "y": [r.best for r in rows],
                "text": [f"{r.display_name} · {r.status.value}" for r in rows],
                "marker": {"color": [status_color(r.status) for r in rows], "size": 8},
            },
            {
                "type": "scatter",
                "name": "best so far",
                "mode": "lines",
                "x": xs,
                "y": ys,
                "line": {"shape": "hv", "color": "#111827"},
            },
        ]

    def _make_figures(self) -> None:
        margin = {"l": 60, "r": 40, "t": 50, "b": 40}
        parallel = go.FigureWidget(
            data=[self._parallel_trace()],
            layout={
                "title": {"text": f"parameters and {self.metric}", "font": {"size": 13}},
                "height": FIGURE_HEIGHT,
                "margin": margin,
            },
            _validate=False,
        )
        progress = go.FigureWidget(
            data=self._progress_traces(),
            layout={
                "title": {"text": f"best {self.metric} so far", "font": {"size": 13}},
                "height": FIGURE_HEIGHT,
                "margin": margin,
                "xaxis": {"title": {"text": "trial"}},
                "showlegend": False,
            },
            _validate=False,
        )
        # progress first: a made ``parallel`` is what readers in other threads wait for
        self.progress, self.parallel = progress, parallel
        self.created += 2

    def _draw_figures(self) -> None:
        assert self.parallel is not None and self.progress is not None
        trace = self._parallel_trace()
        # plotly_restyle: the one update path that reaches the front end (metric_charts)
        self.parallel.plotly_restyle(
            {"dimensions": [trace["dimensions"]], "line": [trace["line"]]}, trace_indexes=0
        )
        for i, progress in enumerate(self._progress_traces()):
            keys = ("x", "y", "text", "marker") if i == 0 else ("x", "y")
            self.progress.plotly_restyle({k: [progress[k]] for k in keys}, trace_indexes=i)
        for figure in (self.parallel, self.progress):
            figure._widget_data = deepcopy(figure._data)  # for views drawn later

    # ---- what the figures show (for tests and callers) -----------------------------------
    # read from the figure's own data (what it sends): plotly's trace objects cache the
    # arrays of compound properties (parcoords' dimensions) and miss a restyle's new ones
    def parallel_data(self) -> list[dict[str, Any]]:
        assert self.parallel is not None
        return [dict(d) for d in self.parallel._data[0]["dimensions"]]

    def progress_data(self) -> dict[str, list[Any]]:
        assert self.progress is not None
        points, line = self.progress._data
        return {
            "trial_x": list(points["x"]),
            "trial_y": list(points["y"]),
            "colors": list(points["marker"]["color"]),
            "best_x": list(line["x"]),
            "best_y": list(line["y"]),
        }
