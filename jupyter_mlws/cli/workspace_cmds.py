"""``mlws init`` and ``mlws workspace …``."""

from __future__ import annotations

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.tracking import Workspace


@click.command("init")
@click.argument("path", required=False, type=click.Path(file_okay=False))
@click.option(
    "--db-url",
    help="Store URL, e.g. postgresql+psycopg://user@host/db (default: SQLite in .mlws/).",
)
@click.option(
    "--artifact-url", help="Artifact store: a folder or any fsspec URL, e.g. s3://bucket/mlws."
)
@click.option("--force", is_flag=True, help="Rewrite an existing workspace.json.")
@click.option(
    "--shared-group",
    metavar="GROUP",
    help="Share the workspace with this group (folders 2770, files 0660); "
    "default: private to you (folders 0700, files 0600).",
)
@json_option
def init(
    path: str | None,
    db_url: str | None,
    artifact_url: str | None,
    force: bool,
    shared_group: str | None,
) -> None:
    """Create a workspace (.mlws/) in PATH or the current folder."""
    ws = Workspace.init(
        path or ".",
        db_url=db_url,
        artifact_url=artifact_url,
        force=force,
        shared_group=shared_group,
    )
    get_ctx().out.record({"workspace": str(ws.root), **ws.details()}, data=ws.details())


@click.group("workspace")
def workspace() -> None:
    """Show the workspace in use."""


@workspace.command("show")
@json_option
def show() -> None:
    """Where the workspace is and what it holds."""
    details = get_ctx().workspace().details()
    get_ctx().out.record(details, data=details)
