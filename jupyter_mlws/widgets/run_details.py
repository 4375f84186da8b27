"""``RunDetails``: everything about one run, live while it runs.

Status badge and timings, params/tags/properties, one chart per metric, a log tail,
outputs, child runs (click one to open its details) and the error when it failed.
A background ``Refresher`` keeps it current and stops once the run is terminal.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import ipywidgets as w

from jupyter_mlws.entities import RunRecord
from jupyter_mlws.exceptions import MlwsError
from jupyter_mlws.formatting import fmt_duration, fmt_peaks, fmt_time
from jupyter_mlws.hyperdrive.config import SWEEP_KIND
from jupyter_mlws.pipeline.start import KIND as PIPELINE_KIND
from jupyter_mlws.services import runs, sweeps
from jupyter_mlws.tracking import Run, Workspace
from jupyter_mlws.widgets import html
from jupyter_mlws.widgets.log_viewer import LogViewer
from jupyter_mlws.widgets.logged_values import values_html
from jupyter_mlws.widgets.metric_charts import MetricCharts
from jupyter_mlws.widgets.pipeline_view import PipelineView, pipeline_static_html
from jupyter_mlws.widgets.refresher import Poll, Refresher
from jupyter_mlws.widgets.static_view import run_html, run_kind_label, user_tags, with_static
from jupyter_mlws.widgets.sweep_view import SweepView, sweep_static_html

KIND_TABS = {SWEEP_KIND: "Trials", PIPELINE_KIND: "Steps"}
TABS = ("Metrics", "Tables & images", "Logs", "Details", "Outputs", "Child runs")
DOWNLOADS = "mlws-outputs"
SLOW_PARTS_S = 5.0  # outputs and child runs change rarely: look at them less often


class RunDetails(w.VBox):
    """Built in two steps: the header at once, the rest on the first refresh.

    Every widget costs a message to the front end; ``%%run`` shows this view and must
    return at once, so a live run's parts are built by the background refresher.
    """

    timings: w.HTML
    error: w.HTML
    charts: MetricCharts
    logged: w.HTML
    logs: LogViewer
    details: w.HTML
    outputs: _Outputs
    children_table: _ChildRuns
    tabs: w.Tab
    # a sweep's trials or a pipeline's steps, as the first tab (None for other kinds)
    kind_view: SweepView | PipelineView | None

    def __init__(
        self,
        run: Run | str,
        workspace: Workspace | None = None,
        *,
        live: bool = True,
        min_interval: float = 0.5,
        max_interval: float = 5.0,
    ) -> None:
        self.refresher: Refresher | None = None
        self.header = w.HTML()
        super().__init__(children=[self.header])
        self.add_class("mlws-run-details")
        self.record: RunRecord | None = None
        self.built = False
        self._files_seen = 0.0
        self._values_seen: tuple[int, int] = (0, 0)
        # set by whoever displayed this view with a display id (``%%run``): once the run
        # ends the output is refreshed, so a saved notebook keeps the final static view
        self.display_handle: Any = None
        self._final_shown = False
        self.run = self._resolve(run, workspace)
        if self.run is None:
            return
        if live and not self.run.record.status.is_terminal:
            self._show_header(self.run.record)
            self.refresher = Refresher(
                self.poll, min_interval=min_interval, max_interval=max_interval
            ).start()
        elif not self.poll().finished and live:
            self.refresher = Refresher(
                self.poll, min_interval=min_interval, max_interval=max_interval
            ).start()

    def _build(self, run: Run) -> None:
        self.timings = w.HTML()
        self.error = w.HTML()
        self.charts = MetricCharts()
        self.logged = w.HTML("<i>no tables or images logged yet</i>")
        self.logs = LogViewer()
        self.details = w.HTML()
        self.outputs = _Outputs(run)
        self.children_table = _ChildRuns()
        self.kind_view = kind_view(run)
        parts = [
            self.charts,
            self.logged,
            self.logs,
            self.details,
            self.outputs,
            self.children_table,
        ]
        titles = list(TABS)
        if self.kind_view is not None:
            parts.insert(0, self.kind_view)
            titles.insert(0, KIND_TABS[run.record.kind])
        self.tabs = w.Tab(children=parts)
        for i, title in enumerate(titles):
            self.tabs.set_title(i, title)
        self.children = [self.header, self.timings, self.error, self.tabs]
        self.built = True

    # ---- loading ----------------------------------------------------------------------
    def _resolve(self, run: Run | str, workspace: Workspace | None) -> Run | None:
        try:
            if isinstance(run, Run):
                return run
            ws = workspace or Workspace.current()
            return Run(ws, runs.resolve_run_id(ws, run))
        except MlwsError as exc:
            self._show_missing(exc.message)
        except Exception as exc:
            self._show_missing(f"{type(exc).__name__}: {exc}")
        return None

    def _show_missing(self, why: str) -> None:
        self.header.value = html.message(f"cannot show this run: {why}", "error")
        if self.built:
            self.tabs.layout.display = "none"

    # ---- refreshing -------------------------------------------------------------------
    def poll(self) -> Poll:
        """Bring every part up to date; ``finished`` once the run is terminal (or gone)."""
        run = self.run
        if run is None:
            return Poll(changed=False, finished=True)
        try:
            record = run.refresh()
        except MlwsError as exc:
            self._show_missing(exc.message)
            return Poll(changed=True, finished=True)
        ws = run.workspace
        one_off = not self.built
        if one_off:
            self._build(run)
        charts_before = self.charts.created + self._kind_created()
        changed = _without_heartbeat(record) != _without_heartbeat(self.record)
        if changed:
            self._show_record(record)
        self.timings.value = _timings(record)
        record_changed = changed
        changed = self.charts.update(ws, run.id, runs.latest_metrics(ws, run.id)) or changed
        if record.status.is_terminal or self.refresher is None:
            self.charts.settle()  # no later refresh will add a chart that is still pending
        if self.kind_view is not None:
            changed = self.kind_view.update() or changed
            if record.status.is_terminal or self.refresher is None:
                self.kind_view.settle()
        changed = self.logs.update(ws, run.id) or changed
        changed = self._update_logged(run) or changed
        now = time.monotonic()
        if record_changed or record.status.is_terminal or now - self._files_seen > SLOW_PARTS_S:
            self._files_seen = now
            self.outputs.update()
            self.children_table.update(run)
        one_off = one_off or self.charts.created + self._kind_created() != charts_before
        if record.status.is_terminal:
            self._show_final()
        return Poll(changed=changed, finished=record.status.is_terminal, one_off=one_off)

    def _kind_created(self) -> int:
        return self.kind_view.created if self.kind_view is not None else 0

    def _update_logged(self, run: Run) -> bool:
        values = runs.logged_values(run.workspace, run.id)
        seen = (len(values), max((v.timestamp for v in values), default=0))
        if seen == self._values_seen:
            return False
        self._values_seen = seen
        self.logged.value = values_html(run, values)
        return True

    def _show_final(self) -> None:
        if self.display_handle is not None and not self._final_shown:
            self._final_shown = True
            self.display_handle.update(self._repr_mimebundle_(), raw=True)

    def static_html(self) -> str:
        if self.run is None:
            return self.header.value
        return run_html(self.run, kind_static_html(self.run))

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        return with_static(bundle, self.static_html(), "run")

    def _show_header(self, record: RunRecord) -> None:
        self.header.value = (
            f"{html.badge(record.status)} <b>{html.esc(record.experiment_name)}:{record.number}"
            f"</b> {html.esc(record.display_name)} <small style='color:#6b7280'>"
            f"{html.esc(run_kind_label(record))} · {record.id}</small>"
        )

    def _show_record(self, record: RunRecord) -> None:
        self.record = record
        self._show_header(record)
        self.details.value = (
            html.key_values("Params", record.params)
            + html.key_values("Tags", user_tags(record.tags))
            + html.key_values("Properties", record.properties)
            + self._resources(record)
        )
        error = record.error or {}
        if error:
            trace = error.get("traceback")
            self.error.value = html.message(str(error.get("message", "")), "error") + (
                html.pre(trace) if trace else ""
            )

    def _resources(self, record: RunRecord) -> str:
        """Peaks of the run's system metrics (absent when it was not sampled)."""
        if self.run is None:
            return ""
        shown = fmt_peaks(runs.system_summary(self.run.workspace, record.id))
        return html.key_values("Resources", shown) if shown else ""

    def close(self) -> None:
        if self.refresher is not None:
            self.refresher.stop()
        super().close()


def kind_view(run: Run) -> SweepView | PipelineView | None:
    """The view a run's kind adds: a sweep's trials, a pipeline's steps."""
    kind = run.record.kind
    if kind == SWEEP_KIND:
        return SweepView(run)
    if kind == PIPELINE_KIND:
        return PipelineView(run)
    return None


def kind_static_html(run: Run) -> str:
    """The saved notebook's view of a sweep's final trials or a pipeline's steps."""
    kind = run.record.kind
    if kind == SWEEP_KIND:
        return sweep_static_html(sweeps.load_sweep(run.workspace, run.id))
    if kind == PIPELINE_KIND:
        return pipeline_static_html(run)
    return ""


def _timings(record: RunRecord) -> str:
    return (
        f"<small>created {fmt_time(record.created_ms)} · started "
        f"{fmt_time(record.started_ms) or '—'} · ended {fmt_time(record.ended_ms) or '—'} · "
        f"duration {fmt_duration(record.duration_ms) or '—'}</small>"
    )


def _without_heartbeat(record: RunRecord | None) -> RunRecord | None:
    # a heartbeat alone is no news: it must not keep an idle view polling fast
    return dataclasses.replace(record, heartbeat_ms=None) if record is not None else None


class _Outputs(w.VBox):
    """A run's files: pick one and download it next to the notebook, with a link.

    The picker is built when the first file appears: most live runs have none yet,
    and every widget costs a message to the front end.
    """

    def __init__(self, run: Run) -> None:
        self.listing = w.HTML("<i>no files</i>")
        super().__init__(children=[self.listing])
        self.run = run
        self.names: list[str] = []
        self.picker: w.Dropdown | None = None
        self.link: w.HTML | None = None

    def update(self) -> None:
        entries = runs.artifacts(self.run.workspace, self.run.id)
        names = [e.path for e in entries]
        if names == self.names:
            return
        self.names = names
        self.listing.value = html.table(
            [{"file": e.path, "bytes": e.size} for e in entries], ["file", "bytes"]
        )
        if self.picker is None:
            self.picker = w.Dropdown(options=names, description="file", layout={"width": "420px"})
            button = w.Button(description="Download", icon="download")
            button.on_click(self._download)
            self.link = w.HTML()
            self.children = [self.listing, w.HBox([self.picker, button]), self.link]
        else:
            self.picker.options = names

    def _download(self, _button: Any = None) -> None:
        if self.picker is None or self.link is None or not self.picker.value:
            return
        record = self.run.record
        dest = Path(DOWNLOADS) / f"{record.experiment_name}-{record.number}" / self.picker.value
        try:
            saved = self.run.download_file(self.picker.value, dest)
        except MlwsError as exc:
            self.link.value = html.message(exc.message, "error")
            return
        target = html.esc(saved.as_posix())
        self.link.value = f"saved <a href='{target}' target='_blank'>{target}</a>"


class _ChildRuns(w.VBox):
    """Child runs as rows; clicking one opens its ``RunDetails`` underneath."""

    def __init__(self) -> None:
        self.rows = w.HTML("<i>no child runs</i>")
        super().__init__(children=[self.rows])
        self.opened: RunDetails | None = None
        self.child_ids: list[str] = []
        self._records: dict[str, RunRecord] = {}

    def update(self, run: Run) -> None:
        children = run.get_children()
        records = {c.id: c.record for c in children}
        if records == self._records:
            return
        self._records = records
        self.child_ids = [c.id for c in children]
        if children:
            rows = [self._row(c) for c in children]
            self.children = [*rows, *([self.opened] if self.opened else [])]

    def _row(self, child: Run) -> w.HBox:
        r = child.record
        button = w.Button(description=f"{r.experiment_name}:{r.number}", tooltip=r.id)
        button.on_click(lambda _b, c=child: self.open_child(c))
        metrics = ", ".join(f"{k}={v:.4g}" for k, v in list(r.metrics.items())[:4])
        info = w.HTML(
            f"{html.badge(r.status)} {html.esc(r.display_name)} · "
            f"{fmt_duration(r.duration_ms)} · {html.esc(metrics)}"
        )
        return w.HBox([button, info])

    def open_child(self, child: Run) -> RunDetails:
        if self.opened is not None:
            self.opened.close()
        self.opened = RunDetails(child)
        rows = [c for c in self.children if isinstance(c, w.HBox)]
        self.children = [*rows, self.opened]
        return self.opened
