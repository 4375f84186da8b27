"""``mlws model …``: register, list, show, download, alias and delete model versions."""

from __future__ import annotations

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.output import fmt_time
from jupyter_mlws.cli.params import parse_pairs
from jupyter_mlws.entities import ModelVersion
from jupyter_mlws.registry import parse_model_ref
from jupyter_mlws.services import models as model_service

MODEL_COLUMNS = ["model", "aliases", "created", "files", "run", "tags"]


def model_row(m: ModelVersion) -> dict[str, object]:
    return {
        "model": m.ref,
        "aliases": ", ".join(m.aliases),
        "created": fmt_time(m.created_ms),
        "files": f"{m.file_count} ({_size(m.total_bytes)})",
        "run": f"{m.experiment_name}:{m.run_id[:8]}" if m.run_id else "",
        "tags": m.tags,
    }


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _filters(values: tuple[str, ...]) -> list[str] | None:
    return list(values) or None


@click.group("model")
def model() -> None:
    """Register and manage model versions."""


@model.command("register")
@click.argument("name")
@click.argument("path")
@click.option("-r", "--run", "run_ref", help="Run the model comes from (its file, or lineage).")
@click.option("-t", "--tag", "tags", multiple=True, help="key=value tag (repeatable).")
@click.option("-p", "--property", "properties", multiple=True, help="key=value property.")
@click.option("-d", "--description")
@click.option("--framework", help="e.g. sklearn, numpy, pytorch.")
@json_option
def register(
    name: str,
    path: str,
    run_ref: str | None,
    tags: tuple[str, ...],
    properties: tuple[str, ...],
    description: str | None,
    framework: str | None,
) -> None:
    """Register the file or folder PATH as the next version of NAME."""
    ctx = get_ctx()
    version = ctx.workspace().register_model(
        name,
        path,
        tags=parse_pairs(tags, "--tag"),
        properties=parse_pairs(properties, "--property"),
        description=description,
        framework=framework,
        run=run_ref,
    )
    ctx.out.record(model_row(version), data=version.to_dict())


@model.command("list")
@click.argument("name", required=False)
@click.option("-t", "--tag", "tags", multiple=True, help="key=value or key (repeatable).")
@click.option("-p", "--property", "properties", multiple=True, help="key=value or key.")
@click.option("-r", "--run", "run_ref", help="Only models registered from this run.")
@click.option("--latest", is_flag=True, help="Only the latest version of each model.")
@json_option
def list_models(
    name: str | None,
    tags: tuple[str, ...],
    properties: tuple[str, ...],
    run_ref: str | None,
    latest: bool,
) -> None:
    """Model versions, newest first (search by name, tags and properties)."""
    found = model_service.list_models(
        get_ctx().workspace(),
        name,
        tags=_filters(tags),
        properties=_filters(properties),
        run_ref=run_ref,
        latest=latest,
    )
    get_ctx().out.table(
        [model_row(m) for m in found], MODEL_COLUMNS, data=[m.to_dict() for m in found]
    )


@model.command("show")
@click.argument("ref")
@json_option
def show(ref: str) -> None:
    """One version: NAME (latest), NAME:VERSION or NAME@ALIAS, with files and lineage."""
    ws = get_ctx().workspace()
    version = ws.model(ref)
    files = ws.model_registry.files(version)
    fields = {
        **model_row(version),
        "description": version.description or "",
        "framework": version.framework or "",
        "properties": version.properties,
        "run_id": version.run_id or "",
        "experiment": version.experiment_name or "",
        "snapshot": version.snapshot_id or "",
        "datasets": ", ".join(version.datasets),
        "paths": ", ".join(f.path for f in files),
    }
    data = {**version.to_dict(), "files": [f.to_dict() for f in files]}
    get_ctx().out.record(fields, data=data)


@model.command("download")
@click.argument("ref")
@click.option("-o", "--out", "target", default=".", show_default=True, type=click.Path())
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@json_option
def download(ref: str, target: str, force: bool) -> None:
    """Write a model version's files into a folder."""
    ctx = get_ctx()
    path = ctx.workspace().download_model(ref, target, exist_ok=force)
    ctx.out.record({"model": ctx.workspace().model(ref).ref, "path": str(path)})


@model.command("alias")
@click.argument("ref")
@click.argument("alias")
@click.option("--remove", is_flag=True, help="Remove ALIAS from model REF (a name).")
@json_option
def alias(ref: str, alias: str, remove: bool) -> None:
    """Point ALIAS (e.g. production) at version REF, moving it if set elsewhere."""
    ctx = get_ctx()
    ws = ctx.workspace()
    if remove:
        ws.model_registry.remove_alias(ref.split(":")[0].split("@")[0], alias)
        ctx.out.record({"model": ref, "removed alias": alias})
        return
    version = ws.set_model_alias(ref, alias)
    ctx.out.record(model_row(version), data=version.to_dict())


@model.command("delete")
@click.argument("ref")
@json_option
def delete(ref: str) -> None:
    """Delete one version, NAME:VERSION (refused while an endpoint serves it)."""
    if parse_model_ref(ref).version is None:
        raise click.BadParameter("name the version to delete: NAME:VERSION", param_hint="REF")
    ctx = get_ctx()
    deleted = ctx.workspace().delete_model(ref)
    ctx.out.record({"deleted": deleted.ref}, data=deleted.to_dict())
