"""``mlws notebook …``: submit a notebook as a parameterized run; list its parameters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.params import parse_pairs
from jupyter_mlws.cli.run_cmds import show_submitted
from jupyter_mlws.compute import NotebookRunConfig
from jupyter_mlws.compute.admin import waiting_reason
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.notebooks import applied_parameters, inspect_parameters


def papermill_value(text: str) -> Any:
    """papermill's ``-p`` rules: True/False/None, an int, a float, else the string."""
    if text in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


@click.group("notebook")
def notebook() -> None:
    """Run notebooks with papermill parameters on any compute target."""


@notebook.command("submit")
@click.argument("notebook_path", metavar="NOTEBOOK", type=click.Path(dir_okay=False))
@click.option(
    "-p",
    "--parameter",
    "parameters",
    nargs=2,
    multiple=True,
    metavar="NAME VALUE",
    help="A parameter, typed as papermill's -p does.",
)
@click.option(
    "-r",
    "--parameter-raw",
    "raw",
    nargs=2,
    multiple=True,
    metavar="NAME VALUE",
    help="A parameter kept as a string.",
)
@click.option(
    "-j",
    "--parameters-json",
    "as_json_text",
    help="Parameters as a JSON object, e.g. '{\"layers\": [64, 32]}'.",
)
@click.option("-e", "--experiment", default="Default", show_default=True)
@click.option("-c", "--compute", default="local", show_default=True)
@click.option("-k", "--kernel", help="Kernel name (default: the notebook's kernelspec).")
@click.option(
    "--source-dir",
    type=click.Path(file_okay=False),
    help="Folder to snapshot (default: the notebook's folder).",
)
@click.option("-n", "--name", help="Display name of the run.")
@click.option("-t", "--tag", "tags", multiple=True, help="key=value tag (repeatable).")
@click.option("--max-duration", type=float, help="Seconds after which the run is stopped.")
@click.option(
    "--allow-unknown-params",
    is_flag=True,
    help="Inject parameters the notebook's parameters cell does not define.",
)
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
    notebook_path: str,
    parameters: tuple[tuple[str, str], ...],
    raw: tuple[tuple[str, str], ...],
    as_json_text: str | None,
    experiment: str,
    compute: str,
    kernel: str | None,
    source_dir: str | None,
    name: str | None,
    tags: tuple[str, ...],
    max_duration: float | None,
    allow_unknown_params: bool,
    environment: str | None,
    wait: bool,
) -> None:
    """Submit NOTEBOOK as a run: `mlws notebook submit train.ipynb -p lr 0.1 -c cpu`."""
    ctx = get_ctx()
    values: dict[str, Any] = {}
    if as_json_text:
        try:
            values.update(json.loads(as_json_text))
        except (ValueError, TypeError):
            raise InvalidParameterError("--parameters-json must be a JSON object") from None
    values.update({k: papermill_value(v) for k, v in parameters})
    values.update(dict(raw))
    path = Path(notebook_path)
    if not path.is_file():
        raise InvalidParameterError(f"no such notebook {notebook_path!r}")
    config = NotebookRunConfig(
        notebook=path,
        parameters=values,
        params=applied_parameters(path, values, allow_unknown=allow_unknown_params),
        compute=compute,
        kernel_name=kernel,
        source_dir=source_dir,
        tags=parse_pairs(tags, "--tag"),
        display_name=name,
        max_duration_s=max_duration,
        environment=environment,
    )
    config.validate()  # a mistake must not leave a new, empty experiment behind
    ws = ctx.workspace()
    submitted = ws.experiment(experiment).submit(config)
    record = submitted.refresh()
    note = waiting_reason(ws, compute) if record.status is RunStatus.QUEUED else None
    if note:
        click.echo(f"mlws: note: {note}", err=True)
    show_submitted(submitted, wait)


@notebook.command("params")
@click.argument("notebook_path", metavar="NOTEBOOK", type=click.Path(dir_okay=False))
@json_option
def params(notebook_path: str) -> None:
    """The parameters of NOTEBOOK: names, inferred types, defaults, help."""
    found = [p.to_dict() for p in inspect_parameters(notebook_path)]
    get_ctx().out.table(found, ["name", "type", "default", "help"], data=found)
