"""The static face of every widget: plain HTML a saved notebook keeps.

A widget lives only while its kernel does. Each widget output therefore also carries
``text/html``: the run's summary table, its metrics as SVG line-chart images, and
what it logged (tables, images). A notebook reopened later, rendered on a code host,
or written by a notebook run shows that; the lab extension shows it whenever the live
widget cannot be drawn, and the live widget replaces it when it can. The live view
refreshes this HTML once its run ends, so a saved notebook holds the final state.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jupyter_mlws.entities import RunRecord, is_system_metric
from jupyter_mlws.formatting import fmt, fmt_duration, fmt_peaks, fmt_time
from jupyter_mlws.services import runs
from jupyter_mlws.widgets import html
from jupyter_mlws.widgets.logged_values import values_html

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Run

VIEW_MIME = "application/vnd.mlws.view+json"  # the lab extension's live-or-static renderer
CHART_POINTS = 300
SVG_W, SVG_H, PAD = 360, 170, 34


def with_static(bundle: dict[str, Any], static_html: str, kind: str) -> dict[str, Any]:
    """A widget's mime bundle plus its static HTML (and the lab extension's hint)."""
    out = dict(bundle)
    out["text/html"] = f"<div class='mlws-static' data-view='{kind}'>{static_html}</div>"
    widget = bundle.get("application/vnd.jupyter.widget-view+json")
    if widget:
        out[VIEW_MIME] = {"model_id": widget.get("model_id", ""), "view": kind}
    return out


def svg_chart(title: str, xs: Sequence[float], ys: Sequence[float], x_label: str = "step") -> str:
    """A small line chart as an SVG image: no script, so every renderer shows it."""
    points = [(float(x), float(y)) for x, y in zip(xs, ys, strict=False) if math.isfinite(y)]
    head = f"<text x='{PAD}' y='14' font-size='12' font-weight='bold'>{html.esc(title)}</text>"
    if not points:
        body = f"<text x='{PAD}' y='{SVG_H // 2}' font-size='11'>no points</text>"
        return _svg(head + body)
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
    sx = (SVG_W - 2 * PAD) / ((x1 - x0) or 1)
    sy = (SVG_H - 2 * PAD) / ((y1 - y0) or 1)
    coords = " ".join(
        f"{PAD + (x - x0) * sx:.1f},{SVG_H - PAD - (y - y0) * sy:.1f}" for x, y in points
    )
    line = (
        f"<polyline fill='none' stroke='#1f77b4' stroke-width='1.5' points='{coords}'/>"
        if len(points) > 1
        else f"<circle r='3' fill='#1f77b4' cx='{coords.split(',')[0]}' "
        f"cy='{coords.split(',')[1]}'/>"
    )
    frame = (
        f"<rect x='{PAD}' y='{PAD}' width='{SVG_W - 2 * PAD}' height='{SVG_H - 2 * PAD}' "
        "fill='none' stroke='#d1d5db'/>"
    )
    labels = (
        f"<text x='2' y='{PAD + 4}' font-size='10'>{fmt(y1)}</text>"
        f"<text x='2' y='{SVG_H - PAD}' font-size='10'>{fmt(y0)}</text>"
        f"<text x='{PAD}' y='{SVG_H - PAD + 14}' font-size='10'>{fmt(x0)}</text>"
        f"<text x='{SVG_W - PAD}' y='{SVG_H - PAD + 14}' font-size='10' "
        f"text-anchor='end'>{fmt(x1)}</text>"
        f"<text x='{SVG_W // 2}' y='{SVG_H - 4}' font-size='10' text-anchor='middle'>"
        f"{html.esc(x_label)}</text>"
    )
    return _svg(head + frame + line + labels)


def _svg(body: str) -> str:
    return svg_image(body, SVG_W, SVG_H)


def svg_image(body: str, width: int, height: int, alt: str = "chart") -> str:
    # An <img> of an SVG data URI, not inline <svg>: the sanitizer that untrusted
    # notebooks get (JupyterLab, Notebook 7) strips inline SVG but keeps images.
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' font-family='sans-serif'>{body}</svg>"
    )
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f"<img class='mlws-static-chart' width='{width}' height='{height}' "
        f"alt='{html.esc(alt)}' src='data:image/svg+xml;base64,{data}'>"
    )


def run_kind_label(record: RunRecord) -> str:
    """ "cell run on local", "interactive run in this kernel": how the run was made."""
    if record.kind == "interactive" or record.compute in ("", "interactive"):
        return f"{record.kind} run, tracked where it runs"
    return f"{record.kind} run on {record.compute}"


def user_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """The user's tags: the workspace's own ``mlws.*`` bookkeeping is not listed."""
    return {k: v for k, v in tags.items() if not k.startswith("mlws.")}


def run_header(run: Run) -> str:
    r = run.record
    return (
        f"{html.badge(r.status)} <b>{html.esc(r.experiment_name)}:{r.number}</b> "
        f"{html.esc(r.display_name)} <small style='color:#6b7280'>{html.esc(run_kind_label(r))}"
        f" · {r.id}</small>"
    )


def run_html(run: Run, extra: str = "") -> str:
    """Everything a reader of the saved notebook needs to know about one run; ``extra``
    (a sweep's trials, a pipeline's steps) comes right after its header and error."""
    r = run.record
    ws = run.workspace
    summary = {
        "status": r.status.value,
        "created": fmt_time(r.created_ms),
        "duration": fmt_duration(r.duration_ms) or "—",
        **{f"param {k}": v for k, v in r.params.items()},
        **{f"tag {k}": v for k, v in user_tags(r.tags).items()},
        **{f"metric {k}": v for k, v in r.metrics.items()},
        **fmt_peaks(runs.system_summary(ws, run.id)),
    }
    charts = []
    for metric in runs.latest_metrics(ws, run.id):
        if is_system_metric(metric.key):  # the saved view keeps the peaks (summary) only
            continue
        series = runs.metric_series(ws, run.id, metric.key, CHART_POINTS)
        charts.append(svg_chart(metric.key, series.steps.tolist(), series.values.tolist()))
    error = (r.error or {}).get("message")
    parts = [
        f"<div>{run_header(run)}</div>",
        html.message(str(error), "error") if error else "",
        extra,
        html.key_values("", summary),
        f"<div style='display:flex;flex-wrap:wrap;gap:8px'>{''.join(charts)}</div>",
        values_html(run, runs.logged_values(ws, run.id)),
    ]
    return "".join(parts)


def runs_html(runs: Sequence[Run], title: str = "") -> str:
    """A table of runs with their status and latest metrics (experiment and run lists)."""
    metrics = sorted({k for run in runs for k in run.record.metrics})
    params = sorted({k for run in runs for k in run.record.params})
    rows = []
    for run in runs:
        r = run.record
        row: dict[str, Any] = {
            "run": f"{r.experiment_name}:{r.number}",
            "name": r.display_name,
            "status": r.status.value,
            "duration": fmt_duration(r.duration_ms),
        }
        row.update({p: r.params.get(p, "") for p in params})
        row.update({m: r.metrics.get(m) for m in metrics})
        rows.append(row)
    columns = ["run", "name", "status", "duration", *params, *metrics]
    heading = f"<b>{html.esc(title)}</b> · {len(runs)} runs" if title else ""
    return heading + html.table(rows, columns)
