"""Shared state of one CLI invocation: the output face and the workspace."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click

from jupyter_mlws.cli.output import JsonOutput, Output
from jupyter_mlws.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CliContext:
    workspace_path: str | None = None
    json: bool = False
    output: Output = field(default_factory=Output)
    _workspace: Workspace | None = None

    @property
    def out(self) -> Output:
        return JsonOutput(self.output.stream) if self.json else self.output

    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = (
                Workspace.open(self.workspace_path) if self.workspace_path else Workspace.current()
            )
        return self._workspace


def get_ctx() -> CliContext:
    return click.get_current_context().find_object(CliContext) or CliContext()


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        cli_ctx = ctx.find_object(CliContext)
        if cli_ctx is not None:
            cli_ctx.json = True
    return value


def json_option(func: F) -> F:
    """``--json`` on every command (it may also come before the command name)."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        expose_value=False,
        callback=_set_json,
        is_eager=True,
        help="Print the result as JSON.",
    )(func)
