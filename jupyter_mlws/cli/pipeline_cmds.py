"""``mlws pipeline …``: submit a pipeline file, show a run's DAG with its reuse reasons,
re-run from the failed steps, publish versions behind endpoints and run an endpoint.

A pipeline file is a Python file that defines ``pipeline`` (``ws`` is defined for it;
relative paths in it are read from its own folder), or a YAML file of steps: see
``jupyter_mlws.pipeline.loading`` and ``jupyter_mlws.pipeline.yaml_file``.
"""

from __future__ import annotations

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.output import fmt_time
from jupyter_mlws.cli.params import parse_params
from jupyter_mlws.pipeline import PipelineRun
from jupyter_mlws.pipeline.published import PipelineEndpoint, PublishedPipeline
from jupyter_mlws.services import pipelines as service
from jupyter_mlws.services.pipelines import PipelineRunView

PARAM_HELP = "NAME=VALUE pipeline parameter (repeatable)."


@click.group("pipeline")
def pipeline() -> None:
    """Pipelines of script and notebook steps, with reuse that says why."""


def _started(run: PipelineRun, wait: bool) -> None:
    ctx = get_ctx()
    record = run.refresh()
    if wait:
        run.wait_for_completion(show_output=not ctx.json, raise_on_error=False, out=ctx.out.stream)
    view = service.pipeline_run_view(ctx.workspace(), run.id)
    if ctx.json:
        ctx.out.record({}, data=view.to_dict())
        return
    if wait:
        _show(view)
    else:
        ctx.out.text(f"submitted pipeline run {record.experiment_name}:{record.number} ({run.id})")


def _show(view: PipelineRunView) -> None:
    """The DAG as text: steps in the pipeline's order, each with what it waits for."""
    out = get_ctx().out
    r = view.record
    line = f"pipeline run {r.experiment_name}:{r.number} ({r.id})  {r.status.value}"
    out.text(line)
    if r.error and r.error.get("message"):
        out.text(f"  {r.error['message']}")
    rows = [
        {
            "step": s.name,
            "after": ", ".join(s.depends_on) or "-",
            "status": s.status,
            "run": (s.id or "")[:8],
            "reason": s.reason or "",
        }
        for s in view.steps
    ]
    out.table(rows, ["step", "after", "status", "run", "reason"])


@pipeline.command("submit")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-e", "--experiment", default="Default", show_default=True)
@click.option("-p", "--param", "params", multiple=True, help=PARAM_HELP)
@click.option("--wait", is_flag=True, help="Wait for the pipeline and show its steps.")
@json_option
def submit(file: str, experiment: str, params: tuple[str, ...], wait: bool) -> None:
    """Submit the pipeline FILE defines (a Python file setting ``pipeline``, or YAML)."""
    ws = get_ctx().workspace()
    _started(service.submit_file(ws, file, experiment, parse_params(params)), wait)


@pipeline.command("show")
@click.argument("run")
@json_option
def show(run: str) -> None:
    """A pipeline run's steps: status, the run that did the work, why it ran or was reused."""
    ctx = get_ctx()
    view = service.pipeline_run_view(ctx.workspace(), run)
    if ctx.json:
        ctx.out.record({}, data=view.to_dict())
    else:
        _show(view)


@pipeline.command("rerun")
@click.argument("run")
@click.option(
    "--from-failed",
    is_flag=True,
    help="Reuse every step that completed in RUN (else reuse by key only).",
)
@click.option("--wait", is_flag=True, help="Wait for the pipeline and show its steps.")
@json_option
def rerun(run: str, from_failed: bool, wait: bool) -> None:
    """Run RUN's pipeline again with its parameters and the source folders as they are now."""
    _started(service.rerun(get_ctx().workspace(), run, from_failed=from_failed), wait)


@pipeline.command("cancel")
@click.argument("run")
@json_option
def cancel(run: str) -> None:
    """Cancel a pipeline run and every step that runs."""
    ctx = get_ctx()
    view = service.cancel(ctx.workspace(), run)
    ctx.out.record({"run": view.record.id, "status": view.record.status.value}, data=view)


def _published_row(p: PublishedPipeline) -> dict[str, object]:
    return {
        "pipeline": f"{p.name}:{p.version}",
        "id": p.id,
        "steps": ", ".join(s["name"] for s in p.definition.get("steps", [])),
        "parameters": p.parameters,
        "created": fmt_time(p.created_ms),
    }


@pipeline.command("publish")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-n", "--name", required=True, help="Published pipeline name (versions count up).")
@click.option("-d", "--description")
@click.option("--endpoint", help="Also add it as a version of this pipeline endpoint.")
@click.option("--default", "make_default", is_flag=True, help="Make it the endpoint's default.")
@json_option
def publish(
    file: str, name: str, description: str | None, endpoint: str | None, make_default: bool
) -> None:
    """Publish the pipeline FILE defines, as it is now, as an immutable version."""
    ctx = get_ctx()
    published, found = service.publish_file(
        ctx.workspace(), file, name, description, endpoint, make_default
    )
    fields = _published_row(published)
    if found is not None:
        fields["endpoint"] = f"{found.name} (default version {found.default_version})"
    data = {"published": published.to_dict(), "endpoint": found.to_dict() if found else None}
    ctx.out.record(fields, data=data)


@pipeline.command("list")
@click.argument("name", required=False)
@json_option
def list_published(name: str | None) -> None:
    """Published pipelines (every version)."""
    ctx = get_ctx()
    found = service.list_published(ctx.workspace(), name)
    rows = [_published_row(p) for p in found]
    ctx.out.table(rows, ["pipeline", "id", "steps", "parameters", "created"], data=found)


@pipeline.command("run")
@click.argument("endpoint")
@click.option("-e", "--experiment", help="Experiment (default: named like the endpoint).")
@click.option("-p", "--param", "params", multiple=True, help=PARAM_HELP)
@click.option("--version", type=int, help="Endpoint version (default: its default).")
@click.option("--wait", is_flag=True, help="Wait for the pipeline and show its steps.")
@json_option
def run_endpoint(
    endpoint: str, experiment: str | None, params: tuple[str, ...], version: int | None, wait: bool
) -> None:
    """Start a pipeline endpoint's pipeline."""
    ws = get_ctx().workspace()
    run = service.run_endpoint(ws, endpoint, experiment, parse_params(params), version)
    _started(run, wait)


@pipeline.group("endpoint")
def endpoint_group() -> None:
    """Pipeline endpoints: several published versions under one name, one the default."""


def _endpoint_row(e: PipelineEndpoint) -> dict[str, object]:
    return {
        "endpoint": e.name,
        "default": e.default_version,
        "versions": ", ".join(str(v["version"]) for v in e.versions),
        "description": e.description or "",
        "created": fmt_time(e.created_ms),
    }


@endpoint_group.command("list")
@json_option
def endpoint_list() -> None:
    """Every pipeline endpoint."""
    ctx = get_ctx()
    found = service.list_endpoints(ctx.workspace())
    columns = ["endpoint", "default", "versions", "description", "created"]
    ctx.out.table([_endpoint_row(e) for e in found], columns, data=found)


@endpoint_group.command("show")
@click.argument("name")
@json_option
def endpoint_show(name: str) -> None:
    """An endpoint's versions, each with its pipeline's steps and parameters."""
    ctx = get_ctx()
    view = service.endpoint_view(ctx.workspace(), name)
    if ctx.json:
        ctx.out.record({}, data=view)
        return
    ctx.out.text(f"endpoint {view['name']}  default version {view['default_version']}")
    rows = [
        {
            "version": v["version"],
            "default": "*" if v["version"] == view["default_version"] else "",
            "pipeline": f"{v['pipeline']['name']}:{v['pipeline']['version']}",
            "steps": ", ".join(v["pipeline"]["steps"]),
            "parameters": v["pipeline"]["parameters"],
        }
        for v in view["versions"]
    ]
    ctx.out.table(rows, ["version", "default", "pipeline", "steps", "parameters"])


@endpoint_group.command("set-default")
@click.argument("name")
@click.argument("version", type=int)
@json_option
def endpoint_set_default(name: str, version: int) -> None:
    """Make VERSION the endpoint's default."""
    ctx = get_ctx()
    found = service.set_default(ctx.workspace(), name, version)
    ctx.out.record(_endpoint_row(found), data=found)
