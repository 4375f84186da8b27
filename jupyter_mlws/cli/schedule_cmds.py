"""``mlws schedule …`` (create, list, show, enable, disable, delete) and
``mlws scheduler run``: the scheduler as a foreground service for headless machines.

Schedules fire while some scheduler runs: the Jupyter server extension runs one, and
``mlws scheduler run`` runs one without Jupyter (several may run; each due time fires
once). See ``jupyter_mlws.pipeline.scheduler`` for the catch-up rule.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.output import fmt_time
from jupyter_mlws.cli.params import parse_params
from jupyter_mlws.services import schedules as service
from jupyter_mlws.services.schedules import Firing, Schedule, ScheduleSpec

COLUMNS = ["schedule", "status", "trigger", "target", "experiment", "next", "last"]


def _row(s: Schedule) -> dict[str, object]:
    last = s.firings(limit=1)
    return {
        "schedule": s.name,
        "status": s.status,
        "trigger": s.trigger_text(),
        "target": s.target_text(),
        "experiment": s.experiment_name,
        "next": fmt_time(s.next_due_ms()) if s.next_due_ms() else "-",
        "last": fmt_time(last[0]["due_ms"]) if last else "-",
    }


@click.group("schedule")
def schedule() -> None:
    """Schedules of published pipelines and pipeline endpoints."""


@schedule.command("create")
@click.argument("name")
@click.option("--pipeline", help="Published pipeline id to run.")
@click.option("--endpoint", help="Pipeline endpoint to run (its default version).")
@click.option("--version", type=int, help="Endpoint version (default: the default then).")
@click.option("-e", "--experiment", required=True, help="Experiment of the runs.")
@click.option("--cron", help='Cron expression, e.g. "*/15 * * * *" (6th field: seconds).')
@click.option(
    "--frequency",
    type=click.Choice(["Minute", "Hour", "Day", "Week", "Month"]),
    help="Run every --interval of these.",
)
@click.option("--interval", type=int, default=1, show_default=True)
@click.option("--start", "start_time", help="ISO start time of --frequency (default: now).")
@click.option("--tz", "time_zone", help="Time zone (IANA name) of --cron or --start.")
@click.option("--datastore", help="Run when this datastore's --path changes.")
@click.option("--path", help="Path pattern on --datastore (e.g. incoming/**/*.csv).")
@click.option("--dataset", help="Run when this registered dataset changes.")
@click.option("--poll-minutes", type=float, default=5, show_default=True, help="How often to look.")
@click.option("-p", "--param", "params", multiple=True, help="NAME=VALUE pipeline parameter.")
@click.option("-d", "--description")
@json_option
def create(name: str, params: tuple[str, ...], **options: Any) -> None:
    """Create a schedule: one trigger (--cron, --frequency, --datastore/--path or
    --dataset) and one target (--pipeline or --endpoint)."""
    ctx = get_ctx()
    spec = ScheduleSpec(name=name, parameters=parse_params(params), **options)
    found = service.create(ctx.workspace(), spec)
    ctx.out.record(_row(found), data=found)


@schedule.command("list")
@json_option
def list_schedules() -> None:
    """Every schedule, enabled or not, with its next and last due time."""
    ctx = get_ctx()
    found = service.list_schedules(ctx.workspace())
    ctx.out.table([_row(s) for s in found], COLUMNS, data=found)


@schedule.command("show")
@click.argument("name")
@json_option
def show(name: str) -> None:
    """A schedule and its latest firings (the runs it started, or why none started)."""
    ctx = get_ctx()
    view = service.view(ctx.workspace(), name)
    if ctx.json:
        ctx.out.record({}, data=view)
        return
    ctx.out.record(_row(service.get(ctx.workspace(), name)))
    rows = [
        {
            "due": fmt_time(f["due_ms"]),
            "fired": fmt_time(f["fired_ms"]),
            "run": f["run_id"] or "-",
            "error": f["error"] or "",
        }
        for f in view["firings"]
    ]
    ctx.out.text("")
    ctx.out.table(rows, ["due", "fired", "run", "error"])


def _set(name: str, enabled: bool) -> None:
    ctx = get_ctx()
    verb = service.enable if enabled else service.disable
    found = verb(ctx.workspace(), name)
    ctx.out.record(_row(found), data=found)


@schedule.command("enable")
@click.argument("name")
@json_option
def enable(name: str) -> None:
    """Fire again from now on (times missed while disabled do not fire)."""
    _set(name, True)


@schedule.command("disable")
@click.argument("name")
@json_option
def disable(name: str) -> None:
    """Stop firing (runs already started keep running)."""
    _set(name, False)


@schedule.command("delete")
@click.argument("name")
@json_option
def delete(name: str) -> None:
    """Delete a schedule and its firing records (its runs stay)."""
    ctx = get_ctx()
    service.delete(ctx.workspace(), name)
    ctx.out.record({"deleted": name})


# ---- the scheduler service --------------------------------------------------------------
@click.group("scheduler")
def scheduler() -> None:
    """The process that fires schedules (the Jupyter server runs one too)."""


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM end the loop after the tick under way (a claimed firing is
    never left without its run)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in handlers:
        signal.signal(sig, lambda *_: stop.set())
    try:
        yield
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


@scheduler.command("run")
@click.option(
    "--poll",
    "poll_seconds",
    type=float,
    default=service.DEFAULT_POLL_SECONDS,
    show_default=True,
    help="Seconds between looks at the schedules.",
)
@click.option("--once", is_flag=True, help="Fire what is due now, then exit.")
def run(poll_seconds: float, once: bool) -> None:
    """Fire due schedules until Ctrl-C (or SIGTERM)."""
    ctx = get_ctx()
    ws = ctx.workspace()
    loop = service.scheduler(ws, poll_seconds)

    def fired(f: Firing) -> None:
        what = f"run {f.run_id}" if f.run_id else f"no run: {f.error}"
        ctx.out.text(f"{fmt_time(f.due_ms)}  {f.schedule}  {what}")

    if once:
        for firing in loop.tick():
            fired(firing)
        return
    stop = threading.Event()
    ctx.out.text(f"scheduler: workspace {ws.root}, every {poll_seconds:g}s (Ctrl-C stops)")
    with _stop_on_signals(stop):
        loop.run(stop, fired)
    ctx.out.text("scheduler: stopped")
