"""``mlws endpoint …``: deploy models to scoring services and operate them."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.output import fmt_time
from jupyter_mlws.entities import EndpointRecord
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.services import endpoint_data as data_service
from jupyter_mlws.services import endpoints as endpoint_service
from jupyter_mlws.serving import Endpoint, EndpointStartError
from jupyter_mlws.serving.keys import ENV_KEY, SLOTS
from jupyter_mlws.serving.request_stats import RequestStats

ENDPOINT_COLUMNS = ["endpoint", "state", "scoring_uri", "models", "workers", "updated"]


def endpoint_row(r: EndpointRecord) -> dict[str, object]:
    return {
        "endpoint": r.name,
        "state": r.state.value,
        "scoring_uri": r.scoring_uri or "",
        "models": ", ".join(r.models),
        "workers": r.workers,
        "updated": fmt_time(r.updated_ms),
    }


def curl_line(endpoint: Endpoint, with_key: bool) -> str:
    auth = f' -H "Authorization: Bearer ${ENV_KEY}"' if with_key else ""
    return (
        f"curl -s -X POST {endpoint.scoring_uri}{auth} "
        "-H 'Content-Type: application/json' -d @request.json"
    )


def _show_start_failure(exc: EndpointStartError) -> None:
    """init()'s own traceback, then the one-line error (raised by the caller)."""
    detail = exc.traceback or exc.log_tail
    if detail:
        click.echo(detail.rstrip(), err=True)


@click.group("endpoint")
def endpoint() -> None:
    """Deploy models to scoring endpoints and operate them."""


@endpoint.command("deploy")
@click.argument("name")
@click.option("-m", "--model", "models", multiple=True, required=True, help="NAME[:VERSION|@ALIAS]")
@click.option("--entry-script", default="score.py", show_default=True)
@click.option("--source-dir", default=".", show_default=True, type=click.Path(file_okay=False))
@click.option("--workers", default=1, show_default=True, type=int)
@click.option("--port", type=int, help="Port to listen on (default: any free one).")
@click.option("--no-auth", is_flag=True, help="Serve without keys (key auth is on by default).")
@click.option(
    "--timeout", "timeout_s", default=60.0, show_default=True, help="Seconds per request."
)
@click.option(
    "--environment",
    "--env",
    "environment",
    metavar="NAME[:VERSION]",
    help="Serve from this environment's build (default: inherit this Python).",
)
@click.option(
    "--collect-data",
    is_flag=True,
    help="Write requests' inputs and outputs to the default datastore (`mlws endpoint data`).",
)
@click.option(
    "--sampling-rate",
    type=float,
    default=1.0,
    show_default=True,
    help="Share of requests collected (0 < R <= 1), with --collect-data.",
)
@json_option
def deploy(
    name: str,
    models: tuple[str, ...],
    entry_script: str,
    source_dir: str,
    workers: int,
    port: int | None,
    no_auth: bool,
    timeout_s: float,
    environment: str | None,
    collect_data: bool,
    sampling_rate: float,
) -> None:
    """Start endpoint NAME serving the -m models with score.py (init() once per worker,
    run(data) per request); prints its keys once."""
    ctx = get_ctx()
    try:
        ep = ctx.workspace().deploy(
            name,
            list(models),
            entry_script=entry_script,
            source_dir=source_dir,
            workers=workers,
            port=port,
            auth="none" if no_auth else "key",
            timeout_s=timeout_s,
            environment=environment,
            collect_data=collect_data,
            sampling_rate=sampling_rate,
        )
    except EndpointStartError as exc:
        _show_start_failure(exc)
        raise
    keys = ep.get_keys()
    data = {**ep.record.to_dict(), "keys": keys}
    if ctx.json:
        ctx.out.record(data, data=data)
        return
    ctx.out.record(endpoint_row(ep.record))
    for slot, key in keys.items():
        ctx.out.text(f"{slot + ' key':<11}  {key}")
    if keys:
        ctx.out.text("(keys are shown only now: the workspace keeps only their hashes)")
        ctx.out.text(f"\nexport {ENV_KEY}={keys['primary']}")
    ctx.out.text(f"try: {curl_line(ep, bool(keys))}")


@endpoint.command("list")
@json_option
def list_endpoints() -> None:
    """Endpoints with their state (Dead when the service process is gone)."""
    records = get_ctx().workspace().endpoints()
    get_ctx().out.table(
        [endpoint_row(r) for r in records], ENDPOINT_COLUMNS, data=[r.to_dict() for r in records]
    )


@endpoint.command("show")
@click.argument("name")
@json_option
def show(name: str) -> None:
    """State, models, workers and telemetry (requests, errors, p50/p95 latency)."""
    ctx = get_ctx()
    ep = ctx.workspace().endpoint(name)
    record = ep.refresh()
    status = ep.status() if record.state.value in ("Healthy", "Transitioning") else {}
    stats = ep.metrics()
    settings = record.config
    fields: dict[str, Any] = {
        **endpoint_row(record),
        "pid": record.pid or "",
        "worker pids": ", ".join(map(str, status.get("workers", []))),
        "worker restarts": status.get("restarts", 0),
        "generation": record.generation,
        "auth": record.auth,
        "entry script": settings.get("entry_script", ""),
        "source": settings.get("source_dir", ""),
        "timeout": f"{settings.get('timeout_s', '')} s",
        "requests (all)": stats["total"].describe(),
        "requests (5 min)": stats["last_5_min"].describe(),
        "created": fmt_time(record.created_ms),
    }
    if record.error:
        fields["error"] = record.error.get("message", "")
    data = {
        **record.to_dict(),
        "status": status,
        "metrics": {k: v.to_dict() for k, v in stats.items()},
    }
    ctx.out.record(fields, data=data)
    if record.error and record.error.get("traceback") and not ctx.json:
        ctx.out.text("\n" + str(record.error["traceback"]).rstrip())


@endpoint.command("invoke")
@click.argument("name")
@click.argument("data", required=False)
@click.option("-f", "--file", "data_file", type=click.File("rb"), help="JSON request body file.")
@click.option("--key", envvar=ENV_KEY, help=f"Endpoint key (default: ${ENV_KEY}).")
@json_option
def invoke(name: str, data: str | None, data_file: Any, key: str | None) -> None:
    """POST DATA (JSON text, or -f FILE, or stdin) to the endpoint's /score."""
    if data is None:
        body = data_file.read() if data_file is not None else sys.stdin.buffer.read()
    else:
        body = data.encode()
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise InvalidParameterError(f"the request is not valid JSON: {exc}") from None
    result = get_ctx().workspace().endpoint(name).invoke(parsed, key=key)
    get_ctx().out.text(json.dumps(result, indent=None if get_ctx().json else 2))


@endpoint.command("logs")
@click.argument("name")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new output (Ctrl+C stops).")
@click.option("-n", "--lines", default=200, show_default=True, type=int)
def logs(name: str, follow: bool, lines: int) -> None:
    """What the service, its workers and score.py printed."""
    ctx = get_ctx()
    ep = ctx.workspace().endpoint(name)
    if not follow:
        ctx.output.stream_text(ep.get_logs(lines))
        return
    for chunk in ep.follow_logs(start_lines=lines):
        ctx.output.stream_text(chunk)


@endpoint.command("update")
@click.argument("name")
@click.option("-m", "--model", "models", multiple=True, help="NAME[:VERSION|@ALIAS] (all of them).")
@click.option("--entry-script")
@click.option("--source-dir", type=click.Path(file_okay=False))
@click.option("--workers", type=int)
@click.option("--timeout", "timeout_s", type=float)
@json_option
def update(
    name: str,
    models: tuple[str, ...],
    entry_script: str | None,
    source_dir: str | None,
    workers: int | None,
    timeout_s: float | None,
) -> None:
    """Switch to new models or a new score.py without dropping requests."""
    ctx = get_ctx()
    ep = ctx.workspace().endpoint(name)
    try:
        ep.update(
            models=list(models) or None,
            entry_script=entry_script,
            source_dir=source_dir,
            workers=workers,
            timeout_s=timeout_s,
        )
    except EndpointStartError as exc:
        _show_start_failure(exc)
        raise
    ctx.out.record(endpoint_row(ep.record), data=ep.record.to_dict())


@endpoint.command("start")
@click.argument("name")
@click.option("--port", type=int, help="Listen on another port this time (and from now on).")
@json_option
def start(name: str, port: int | None) -> None:
    """Start an endpoint that is Dead (e.g. after a restart), Stopped or Failed."""
    ctx = get_ctx()
    ep = ctx.workspace().endpoint(name)
    try:
        ep.start(port=port)
    except EndpointStartError as exc:
        _show_start_failure(exc)
        raise
    ctx.out.record(endpoint_row(ep.record), data=ep.record.to_dict())


@endpoint.command("stop")
@click.argument("name")
@json_option
def stop(name: str) -> None:
    """Stop the service (it keeps its models, keys and port; `start` brings it back)."""
    ctx = get_ctx()
    ep = ctx.workspace().endpoint(name).stop()
    ctx.out.record(endpoint_row(ep.record), data=ep.record.to_dict())


@endpoint.command("delete")
@click.argument("name")
@json_option
def delete(name: str) -> None:
    """Stop the service and forget the endpoint (its models stay registered)."""
    ctx = get_ctx()
    ctx.workspace().endpoint(name).delete()
    ctx.out.record({"deleted": name})


@endpoint.command("keys")
@click.argument("name")
@click.option("--regenerate", type=click.Choice(SLOTS), help="Make a new key in this slot.")
@json_option
def keys(name: str, regenerate: str | None) -> None:
    """Key fingerprints; --regenerate makes a new key (shown once, old one stops working)."""
    ctx = get_ctx()
    ep = ctx.workspace().endpoint(name)
    if regenerate:
        key = ep.regen_key(regenerate)
        ctx.out.record({"slot": regenerate, "key": key})
        return
    infos = ep.list_keys()
    ctx.out.table(
        [
            {"slot": k.slot, "fingerprint": k.fingerprint, "created": fmt_time(k.created_ms)}
            for k in infos
        ],
        ["slot", "fingerprint", "created"],
    )


@endpoint.command("package")
@click.argument("name")
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace a non-empty folder.")
@json_option
def package(name: str, out_dir: str, force: bool) -> None:
    """Write a self-contained build context (Dockerfile, requirements, models, score.py)."""
    ctx = get_ctx()
    folder = ctx.workspace().package_endpoint(name, Path(out_dir), force=force)
    ctx.out.record(
        {
            "endpoint": name,
            "folder": str(folder),
            "run": f"cd {os.path.relpath(folder)} && python serve.py --port 8000",
            "docker": f"docker build -t {name.lower()} {os.path.relpath(folder)}",
        }
    )


@endpoint.command("stats")
@click.argument("name")
@click.option(
    "--since",
    default=endpoint_service.DEFAULT_SINCE,
    show_default=True,
    help="Window to look back over: 90s, 15m, 1h, 2d, 1w.",
)
@json_option
def stats(name: str, since: str) -> None:
    """Requests, errors by status code, p50/p95/p99 latency and requests/s, from the
    endpoint's request log."""
    ctx = get_ctx()
    found = endpoint_service.endpoint_stats(ctx.workspace(), name, since)
    ctx.out.record(stats_fields(found, since), data=found.to_dict())


def stats_fields(found: RequestStats, since: str) -> dict[str, object]:
    return {
        "endpoint": found.endpoint,
        "since": f"{since} ({fmt_time(found.since_ms)})",
        "requests": found.requests,
        "errors": found.errors,
        "by status": ", ".join(f"{code}: {n}" for code, n in found.by_status.items()) or "-",
        "by model": ", ".join(f"{m}: {n}" for m, n in found.by_model.items()) or "-",
        "p50 / p95 / p99": " / ".join(_ms(v) for v in (found.p50_ms, found.p95_ms, found.p99_ms)),
        "requests/s": f"{found.requests_per_s:g}",
        **(
            {
                "collected data": "{collected} collected, {dropped} dropped (queue full), "
                "{failed} failed (since start)".format(**found.collection)
            }
            if found.collection
            else {}
        ),
    }


@endpoint.command("data")
@click.argument("name")
@click.option(
    "--since",
    default=data_service.DEFAULT_SINCE,
    show_default=True,
    help="Window to look back over: 90s, 15m, 1h, 2d, 1w.",
)
@click.option("--limit", default=data_service.DEFAULT_LIMIT, show_default=True, type=int)
@click.option(
    "--register",
    "dataset",
    metavar="DATASET",
    help="Register everything collected so far as a new version of this dataset.",
)
@json_option
def data(name: str, since: str, limit: int, dataset: str | None) -> None:
    """Inputs and outputs the endpoint collected (deployed with --collect-data)."""
    ctx = get_ctx()
    ws = ctx.workspace()
    if dataset:
        registered = data_service.register_collected_data(ws, name, dataset)
        info = registered.to_dict()
        ctx.out.record(
            {
                "dataset": registered.ref,
                "kind": info.get("kind", ""),
                "files": len(registered.files),
                "pattern": registered.pattern,
            },
            data=info,
        )
        return
    found = data_service.collected_records(ws, name, since, limit)
    rows = [
        {
            "time": r.get("time", ""),
            "request_id": r.get("request_id", ""),
            "models": ", ".join(r.get("models") or ()),
            "input": _short(r.get("input")),
            "output": _short(r.get("output")),
        }
        for r in found["records"]
    ]
    ctx.out.table(rows, ["time", "request_id", "models", "input", "output"], data=found)


def _short(value: object, width: int = 60) -> str:
    text = json.dumps(value, separators=(",", ":"), default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} ms"
