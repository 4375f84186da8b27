"""``mlws activity``: who created, changed or deleted what, when, through which door."""

from __future__ import annotations

import json

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.output import fmt_time
from jupyter_mlws.services import activity as activity_service

COLUMNS = ["time", "user", "door", "action", "kind", "name", "changes"]


@click.command("activity")
@click.option("--since", help="Only the last 90s, 15m, 1h, 2d, 1w, …")
@click.option("--kind", help=f"Only one kind: {', '.join(activity_service.KINDS)}.")
@click.option("--user", help="Only what this user did.")
@click.option(
    "--limit",
    type=click.IntRange(1, activity_service.MAX_LIMIT),
    default=activity_service.DEFAULT_LIMIT,
    show_default=True,
    help="At most this many entries (newest first).",
)
@json_option
def activity(since: str | None, kind: str | None, user: str | None, limit: int) -> None:
    """The workspace's activity log, newest first."""
    ctx = get_ctx()
    found = activity_service.list_activity(
        ctx.workspace(), since=since, kind=kind, user=user, limit=limit
    )
    rows = [
        {
            "time": fmt_time(a.time_ms),
            "user": a.user,
            "door": a.door,
            "action": a.action,
            "kind": a.kind,
            "name": a.name,
            "changes": json.dumps(a.changes, separators=(",", ":")) if a.changes else "",
        }
        for a in found
    ]
    ctx.out.table(rows, COLUMNS, data=[a.to_dict() for a in found])
