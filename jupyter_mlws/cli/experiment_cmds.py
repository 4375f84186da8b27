"""``mlws experiment …``."""

from __future__ import annotations

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.output import fmt_time
from jupyter_mlws.services import experiments as experiment_service


@click.group("experiment")
def experiment() -> None:
    """List and archive experiments."""


@experiment.command("list")
@click.option("--all", "include_archived", is_flag=True, help="Include archived experiments.")
@json_option
def list_experiments(include_archived: bool) -> None:
    """Experiments with their run counts."""
    exps = experiment_service.list_experiments(get_ctx().workspace(), include_archived)
    rows = [{**e.to_dict(), "created": fmt_time(e.created_ms), "runs": e.run_count} for e in exps]
    columns = ["id", "name", "runs", "created"] + (["archived"] if include_archived else [])
    get_ctx().out.table(rows, columns, data=[e.to_dict() for e in exps])


@experiment.command("archive")
@click.argument("experiment_ref")
@json_option
def archive(experiment_ref: str) -> None:
    """Hide an experiment from listings; its name can be used again."""
    exp = experiment_service.archive_experiment(get_ctx().workspace(), experiment_ref)
    get_ctx().out.record({"archived": exp.name, "id": exp.id}, data=exp.to_dict())
