"""``mlws run …``: submit, list, inspect, follow, cancel and download runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.output import fmt_duration, fmt_time
from jupyter_mlws.cli.params import parse_pairs, parse_params
from jupyter_mlws.compute import ScriptRunConfig
from jupyter_mlws.entities import RunRecord, RunStatus
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.formatting import fmt_peaks
from jupyter_mlws.services import experiments
from jupyter_mlws.services import runs as run_service
from jupyter_mlws.services.runs import LOG_NAME, RunQuery
from jupyter_mlws.tracking import Run

RUN_COLUMNS = ["run", "name", "status", "duration", "created", "metrics"]


def run_row(r: RunRecord) -> dict[str, object]:
    return {
        "run": f"{r.experiment_name}:{r.number}",
        "id": r.id,
        "name": r.display_name,
        "status": r.status.value,
        "duration": fmt_duration(r.duration_ms),
        "created": fmt_time(r.created_ms),
        "metrics": {k: v for k, v in list(r.metrics.items())[:4]},
    }


def load_run(ref: str) -> Run:
    return run_service.load_run(get_ctx().workspace(), ref)


@click.group("run")
def run() -> None:
    """Submit and inspect runs."""


@run.command(
    "submit", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False}
)
@click.argument("script")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option("-e", "--experiment", default="Default", show_default=True)
@click.option("-c", "--compute", default="local", show_default=True)
@click.option(
    "--source-dir", type=click.Path(file_okay=False), help="Folder to snapshot (default: current)."
)
@click.option("-n", "--name", help="Display name of the run.")
@click.option("-t", "--tag", "tags", multiple=True, help="key=value tag (repeatable).")
@click.option("-p", "--param", "params", multiple=True, help="key=value param (repeatable).")
@click.option("--max-duration", type=float, help="Seconds after which the run is stopped.")
@click.option(
    "--environment",
    "--env",
    "environment",
    metavar="NAME[:VERSION]",
    help="Registered environment to run in (default: inherit this interpreter).",
)
@click.option("--wait", is_flag=True, help="Stream the logs and wait for the end.")
@json_option
def submit(
    script: str,
    args: tuple[str, ...],
    experiment: str,
    compute: str,
    source_dir: str | None,
    name: str | None,
    tags: tuple[str, ...],
    params: tuple[str, ...],
    max_duration: float | None,
    environment: str | None,
    wait: bool,
) -> None:
    """Submit SCRIPT [ARGS]... as a run (options go before SCRIPT)."""
    ctx = get_ctx()
    source = Path(source_dir or ".").resolve()
    script_path = Path(script) if Path(script).is_absolute() else Path.cwd() / script
    if source_dir and not script_path.exists():
        script_path = source / script  # SCRIPT given relative to --source-dir
    script_path = script_path.resolve()
    if not script_path.is_relative_to(source):
        raise InvalidParameterError(
            f"script {script!r} must be inside the source folder {str(source)!r}"
        )
    rel = script_path.relative_to(source)
    config = ScriptRunConfig(
        source_dir=source,
        script=Path(rel).as_posix(),
        arguments=list(args),
        compute=compute,
        max_duration_s=max_duration,
        tags=parse_pairs(tags, "--tag"),
        display_name=name,
        params=parse_params(params),
        environment=environment,
    )
    config.validate()  # a mistake must not leave a new, empty experiment behind
    ws = ctx.workspace()
    is_new = not experiments.experiment_exists(ws, experiment)
    submitted = ws.experiment(experiment).submit(config)
    if is_new and not ctx.json:  # Azure creates it too; say so, a typo is then visible
        click.echo(f"created experiment {experiment!r}", err=True)
    show_submitted(submitted, wait)


class InterruptedWaiting(KeyboardInterrupt):
    """Ctrl-C while following a run: the run goes on; the message says how to stop it."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"run {ref} keeps running; `mlws run cancel {ref}` stops it")


def show_submitted(submitted: Run, wait: bool) -> None:
    """Print a submitted run; with ``wait``, stream its log first and exit 1 unless it
    Completed (shared by every command that submits)."""
    ctx = get_ctx()
    record = submitted.record
    ref = f"{record.experiment_name}:{record.number}"
    if wait:
        if not ctx.json:  # the reference first: it is what cancel, logs, show take
            ctx.out.text(f"[mlws] run {ref} ({record.id}) {record.status.value}; streaming its log")
        try:
            submitted.wait_for_completion(show_output=not ctx.json, raise_on_error=False)
        except KeyboardInterrupt:
            raise InterruptedWaiting(ref) from None
        record = submitted.refresh()
        if not ctx.json:
            ctx.out.text(
                f"[mlws] run {record.experiment_name}:{record.number} {record.status.value}"
            )
    ctx.out.record(run_row(record), data=record.to_dict())
    if wait and record.status is not RunStatus.COMPLETED:
        raise SystemExit(1)


@run.command("list")
@click.option("-e", "--experiment", help="Only this experiment.")
@click.option(
    "-s", "--status", "statuses", multiple=True, help="Only runs in this status (repeatable)."
)
@click.option("-t", "--tag", "tags", multiple=True, help="Only runs with tag key=value.")
@click.option("-c", "--compute", help="Only runs on this compute target.")
@click.option(
    "--sort",
    default="created",
    show_default=True,
    help="created|number|started|status|name|metric:KEY",
)
@click.option("--asc", is_flag=True, help="Ascending order.")
@click.option("--limit", default=20, show_default=True, type=int)
@click.option("--children", is_flag=True, help="Include child runs.")
@json_option
def list_runs(
    experiment: str | None,
    statuses: tuple[str, ...],
    tags: tuple[str, ...],
    compute: str | None,
    sort: str,
    asc: bool,
    limit: int,
    children: bool,
) -> None:
    """Runs, newest first, with their latest metrics."""
    query = RunQuery(
        experiment=experiment,
        statuses=statuses,
        tags=parse_pairs(tags, "--tag"),
        compute=compute,
        sort=sort,
        descending=not asc,
        limit=limit,
        include_children=children,
    )
    records = run_service.list_runs(get_ctx().workspace(), query).runs
    get_ctx().out.table(
        [run_row(r) for r in records], RUN_COLUMNS, data=[r.to_dict() for r in records]
    )


@run.command("show")
@click.argument("run_ref")
@json_option
def show(run_ref: str) -> None:
    """Everything about one run."""
    r = load_run(run_ref)
    record = r.refresh()
    fields = {
        **run_row(record),
        "kind": record.kind,
        "compute": record.compute,
        "started": fmt_time(record.started_ms),
        "ended": fmt_time(record.ended_ms),
        "parent": record.parent_id,
        "params": record.params,
        "tags": record.tags,
        "properties": record.properties,
        "metrics": record.metrics,
        "files": len(r.get_file_names()),
    }
    peaks = run_service.system_summary(get_ctx().workspace(), record.id)
    fields.update(fmt_peaks(peaks))
    if "mlws.environment" in record.properties:
        lock = record.properties.get("mlws.environment.lock_hash") or "not built yet"
        fields["environment"] = f"{record.properties['mlws.environment']} (lock {lock[:12]})"
    if record.error:
        fields["error"] = record.error.get("message")
    get_ctx().out.record(fields, data={**record.to_dict(), "system": peaks})
    if record.error and record.error.get("traceback") and not get_ctx().json:
        get_ctx().out.text(record.error["traceback"])


@run.command("logs")
@click.argument("run_ref")
@click.option("-f", "--follow", is_flag=True, help="Keep printing until the run ends.")
@click.option("--name", default=LOG_NAME, show_default=True, help="Which log.")
@json_option
def logs(run_ref: str, follow: bool, name: str) -> None:
    """Print a run's log."""
    r = load_run(run_ref)
    ctx = get_ctx()
    chunks: list[str] = []
    for text in run_service.follow_log(r.workspace, r.id, name, follow=follow):
        chunks.append(text)
        if not ctx.json:
            ctx.out.stream_text(text)
    if not chunks and not ctx.json:
        names = run_service.log_names(r.workspace, r.id)
        others = f" (it has: {', '.join(names)})" if names else ""
        click.echo(f"mlws: note: run {run_ref} has no log {name!r}{others}", err=True)
    if ctx.json:
        ctx.out.record({}, data={"run_id": r.id, "name": name, "text": "".join(chunks)})


@run.command("metrics")
@click.argument("run_ref")
@click.option("-k", "--key", help="History of one metric.")
@click.option("--max-points", type=int, help="Downsample the history to at most N points.")
@json_option
def metrics(run_ref: str, key: str | None, max_points: int | None) -> None:
    """Latest metrics of a run, or one metric's history (a table, image or list by name)."""
    r = load_run(run_ref)
    if key is None:
        latest = run_service.latest_metrics(r.workspace, r.id)
        rows: list[dict[str, Any]] = [m.__dict__ for m in latest]
        for name, kind in _logged_kinds(r).items():
            rows.append({"key": name, "value": f"({kind}: mlws run metrics {run_ref} -k {name})"})
        get_ctx().out.table(rows, ["key", "value", "step", "count", "min", "max"], data=rows)
        return
    series_keys = {m.key for m in run_service.latest_metrics(r.workspace, r.id)}
    if key not in series_keys and key in _logged_kinds(r):
        _show_logged(r, key)
        return
    series = run_service.metric_series(r.workspace, r.id, key, max_points)
    rows = [
        {"step": p.step, "value": p.value, "time": fmt_time(p.timestamp)} for p in series.points()
    ]
    get_ctx().out.table(rows, ["step", "value", "time"], data=series.to_dict())


def _logged_kinds(r: Run) -> dict[str, str]:
    """Names the run logged with log_row/log_table/log_list/log_image/log(str), and how."""
    return run_service.logged_kinds(r.workspace, r.id)


def _show_logged(r: Run, key: str) -> None:
    """A logged table as rows, images and lists one per line; ``--json`` gives Azure's shape."""
    value = r.get_metrics(key)[key]
    kind = _logged_kinds(r)[key]
    out = get_ctx().out
    if kind in ("row", "table") and isinstance(value, dict):
        names = list(value)
        length = max((len(v) for v in value.values()), default=0)
        rows = [
            {n: value[n][i] if i < len(value[n]) else None for n in names} for i in range(length)
        ]
        out.table(rows, names, data={"key": key, "kind": kind, "value": value})
        return
    items = value if isinstance(value, list) and kind != "list" else [value]
    rows = [{kind: item} for item in items]
    out.table(rows, [kind], data={"key": key, "kind": kind, "value": value})


@run.command("cancel")
@click.argument("run_ref")
@json_option
def cancel(run_ref: str) -> None:
    """Cancel a run (its whole process group is stopped)."""
    ws = get_ctx().workspace()
    before = run_service.get_record(ws, run_ref).status
    if before.is_terminal and not get_ctx().json:
        click.echo(
            f"mlws: note: run {run_ref} already ended {before.value}; nothing to cancel", err=True
        )
    after = run_service.cancel_run(ws, run_ref)
    get_ctx().out.record({"run": after.id, "status": after.status.value}, data=after.to_dict())


@run.command("rerun")
@click.argument("run_ref")
@json_option
def rerun(run_ref: str) -> None:
    """Submit a run again: same snapshot, arguments, params, tags and compute."""
    again = run_service.rerun(get_ctx().workspace(), run_ref)
    get_ctx().out.record(run_row(again), data=again.to_dict())


@run.command("download")
@click.argument("run_ref")
@click.option(
    "--what",
    type=click.Choice(["outputs", "logs", "snapshot", "all"]),
    default="all",
    show_default=True,
)
@click.option(
    "-o", "--out", "out_dir", default=".", type=click.Path(file_okay=False), show_default=True
)
@json_option
def download(run_ref: str, what: str, out_dir: str) -> None:
    """Download a run's outputs, logs and/or snapshot (as a zip) into a folder."""
    paths = run_service.download(get_ctx().workspace(), run_ref, what, Path(out_dir))
    written = [str(p) for p in paths]
    get_ctx().out.table([{"file": w} for w in written], ["file"], data=written)
