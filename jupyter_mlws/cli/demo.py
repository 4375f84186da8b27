"""``mlws demo``: the main job on the embedded default, end to end."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import click

from jupyter_mlws.cli.context import CliContext, get_ctx, json_option
from jupyter_mlws.cli.demo_notebook import demo_notebook
from jupyter_mlws.cli.demo_serving import demo_serving
from jupyter_mlws.compute import ScriptRunConfig
from jupyter_mlws.exceptions import MissingExtraError, RunFailedError
from jupyter_mlws.services import runs as run_service

DEMO_EXPERIMENT = "demo"


def _demo_source(root: Path) -> Path:
    """Copy the packaged training script into the workspace, as a user's project."""
    source = root / "demo"
    source.mkdir(parents=True, exist_ok=True)
    script = resources.files("jupyter_mlws.examples") / "train.py"
    with resources.as_file(script) as path:
        shutil.copyfile(path, source / "train.py")
    return source


def _optional_part(ctx: CliContext, name: str, part: Callable[[], Any]) -> Any:
    """Parts that need an extra are skipped with a hint when it is not installed."""
    try:
        return part()
    except MissingExtraError as exc:
        if not ctx.json:
            ctx.out.text(f"[mlws] skipping the {name} part of the demo: {exc.message}")
        return None


@click.command("demo")
@click.option("--epochs", default=40, show_default=True, type=int)
@json_option
def demo(epochs: int) -> None:
    """Train a small model as a tracked run and show where everything went."""
    ctx = get_ctx()
    out = ctx.out
    ws = ctx.workspace()
    source = _demo_source(ws.root)
    exp = ws.experiment(DEMO_EXPERIMENT)
    run = exp.submit(
        ScriptRunConfig(
            source_dir=source,
            script="train.py",
            arguments=["--epochs", str(epochs)],
            tags={"demo": "true"},
        )
    )
    if not ctx.json:
        out.text(f"[mlws] submitted run {exp.name}:{run.number} ({run.id}); streaming its log\n")
    try:
        run.wait_for_completion(show_output=not ctx.json, out=out.stream)
    except RunFailedError as exc:
        out.text(f"[mlws] {exc.message}")
        raise SystemExit(1) from None
    record = run.refresh()
    latest = run_service.latest_metrics(ws, run.id)
    summary = {
        "run": f"{exp.name}:{record.number}",
        "id": record.id,
        "status": record.status.value,
        "metrics": {m.key: m.value for m in latest},
        "outputs": run.get_file_names("outputs/"),
        "workspace": str(ws.root),
        "database": ws.details()["db_url"],
        "artifacts": ws.artifact_url,
    }
    if not ctx.json:
        out.text("")
        out.table(
            [
                {"metric": m.key, "last": m.value, "min": m.min, "max": m.max, "points": m.count}
                for m in latest
            ],
            ["metric", "last", "min", "max", "points"],
        )
        out.text("")
        out.record({k: v for k, v in summary.items() if k != "metrics"})
        out.text("")
    summary["notebook"] = _optional_part(ctx, "notebook", lambda: demo_notebook(ctx, ws))
    summary["serving"] = _optional_part(ctx, "serving", lambda: demo_serving(ctx, ws, run))
    if ctx.json:
        out.record(summary, data=summary)
        return
    out.text(f"\nnext: mlws run show {exp.name}:{record.number}  |  mlws run list -e {exp.name}")
