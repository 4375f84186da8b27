"""``mlws run …``: submit, list, inspect, follow, cancel and download runs."""

from __future__ import annotations

import time
from pathlib import Path

import click

from jupyter_mlws.artifacts import write_zip
from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.output import fmt_duration, fmt_time
from jupyter_mlws.cli.params import literal_or_string, parse_pairs
from jupyter_mlws.compute import ScriptRunConfig
from jupyter_mlws.compute.submit import resubmit_run
from jupyter_mlws.entities import RunRecord, RunStatus
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.tracking import Run
from jupyter_mlws.tracking.liveness import observe
from jupyter_mlws.tracking.run import LOG_NAME

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
    ws = get_ctx().workspace()
    return Run(ws, ws.store.resolve_run_id(ref))


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
        params={k: literal_or_string(v) for k, v in parse_pairs(params, "--param").items()},
        environment=environment,
    )
    config.validate()  # a mistake must not leave a new, empty experiment behind
    show_submitted(ctx.workspace().experiment(experiment).submit(config), wait)


def show_submitted(submitted: Run, wait: bool) -> None:
    """Print a submitted run; with ``wait``, stream its log first and exit 1 unless it
    Completed (shared by every command that submits)."""
    ctx = get_ctx()
    record = submitted.record
    if wait:
        submitted.wait_for_completion(show_output=not ctx.json, raise_on_error=False)
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
    ws = get_ctx().workspace()
    exp_id = ws.store.get_experiment(experiment).id if experiment else None
    records, _ = ws.store.list_runs(
        exp_id,
        statuses=[RunStatus.parse(s) for s in statuses] or None,
        tags=parse_pairs(tags, "--tag"),
        compute=compute,
        sort_by=sort,
        descending=not asc,
        limit=limit,
        top_level_only=not children,
    )
    records = [observe(ws.store, r, ws.config.lost_after_seconds) for r in records]
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
    if "mlws.environment" in record.properties:
        lock = record.properties.get("mlws.environment.lock_hash") or "not built yet"
        fields["environment"] = f"{record.properties['mlws.environment']} (lock {lock[:12]})"
    if record.error:
        fields["error"] = record.error.get("message")
    get_ctx().out.record(fields, data=record.to_dict())
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
    store = r.workspace.store
    offset = 0
    chunks: list[str] = []
    while True:
        data, offset = store.read_log(r.id, name, offset)
        if data:
            text = data.decode("utf-8", errors="replace")
            chunks.append(text)
            if not ctx.json:
                ctx.out.stream_text(text)
        if not follow or r.refresh().status.is_terminal:
            data, offset = store.read_log(r.id, name, offset)
            if data:
                chunks.append(data.decode("utf-8", errors="replace"))
                if not ctx.json:
                    ctx.out.stream_text(chunks[-1])
            break
        time.sleep(0.3)
    if not chunks and not ctx.json:
        names = store.log_names(r.id)
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
    """Latest metrics of a run, or one metric's history."""
    r = load_run(run_ref)
    store = r.workspace.store
    if key is None:
        latest = store.latest_metrics(r.id)
        rows = [m.__dict__ for m in latest]
        get_ctx().out.table(rows, ["key", "value", "step", "count", "min", "max"], data=rows)
        return
    series = (
        store.metric_downsampled(r.id, key, max_points)
        if max_points
        else store.metric_history(r.id, key)
    )
    rows = [
        {"step": p.step, "value": p.value, "time": fmt_time(p.timestamp)} for p in series.points()
    ]
    get_ctx().out.table(rows, ["step", "value", "time"], data=series.to_dict())


@run.command("cancel")
@click.argument("run_ref")
@json_option
def cancel(run_ref: str) -> None:
    """Cancel a run (its whole process group is stopped)."""
    r = load_run(run_ref)
    before = r.refresh().status
    if before.is_terminal and not get_ctx().json:
        click.echo(
            f"mlws: note: run {run_ref} already ended {before.value}; nothing to cancel", err=True
        )
    r.cancel()
    get_ctx().out.record({"run": r.id, "status": r.record.status.value}, data=r.record.to_dict())


@run.command("rerun")
@click.argument("run_ref")
@json_option
def rerun(run_ref: str) -> None:
    """Submit a run again: same snapshot, arguments, params, tags and compute."""
    again = resubmit_run(get_ctx().workspace(), load_run(run_ref).id)
    get_ctx().out.record(run_row(again.record), data=again.record.to_dict())


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
    r = load_run(run_ref)
    record = r.refresh()
    dest = Path(out_dir) / f"{record.experiment_name}-{record.number}"
    dest.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    if what in ("outputs", "all"):
        written += [str(p) for p in r.download_files("", dest / "files")]
    if what in ("logs", "all"):
        for name in r.workspace.store.log_names(r.id):
            target = dest / "logs" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(r.get_logs(name), encoding="utf-8")
            written.append(str(target))
    if what in ("snapshot", "all"):
        if record.snapshot_id is None:
            if what == "snapshot":
                raise InvalidParameterError(f"run {r.id} has no snapshot (interactive run)")
        else:
            target = dest / "snapshot.zip"
            with open(target, "wb") as fh:
                write_zip(r.workspace.blobs, record.snapshot_id, fh)
            written.append(str(target))
    get_ctx().out.table([{"file": w} for w in written], ["file"], data=written)
