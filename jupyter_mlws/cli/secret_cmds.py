"""``mlws secret …``: the workspace key vault. Values are read from stdin or a hidden
prompt (never from argv, which other users can see in ``ps``) and never printed."""

from __future__ import annotations

import sys

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.output import fmt_time


@click.group("secret")
def secret() -> None:
    """Encrypted workspace secrets, given to runs that request them."""


@secret.command("set")
@click.argument("name")
@json_option
def set_secret(name: str) -> None:
    """Set secret NAME; its value is read from stdin (or prompted for, hidden)."""
    if sys.stdin is not None and sys.stdin.isatty():
        value = click.prompt(f"value of {name}", hide_input=True, confirmation_prompt=True)
    else:
        value = sys.stdin.read() if sys.stdin is not None else ""
        value = value[:-1] if value.endswith("\n") else value
        value = value[:-1] if value.endswith("\r") else value
    if not value:
        raise click.UsageError("no value given: pipe it in (mlws secret set NAME < file)")
    ctx = get_ctx()
    ctx.workspace().get_default_keyvault().set_secret(name, value)
    ctx.out.record({"secret": name, "set": "yes"})


@secret.command("list")
@json_option
def list_secrets() -> None:
    """Secret names (values are never shown)."""
    rows = get_ctx().workspace().get_default_keyvault().list_secrets()
    table = [
        {
            "name": r["name"],
            "created": fmt_time(r["created_ms"]),
            "updated": fmt_time(r["updated_ms"]),
        }
        for r in rows
    ]
    get_ctx().out.table(table, ["name", "created", "updated"], data=rows)


@secret.command("delete")
@click.argument("name")
@json_option
def delete_secret(name: str) -> None:
    """Delete secret NAME."""
    get_ctx().workspace().get_default_keyvault().delete_secret(name)
    get_ctx().out.record({"deleted": name})


@secret.command("new-key")
def new_key_cmd() -> None:
    """Print a fresh key for MLWS_SECRET_KEY (a team workspace's key vault)."""
    from jupyter_mlws.data.keyvault import new_key

    click.echo(new_key())
