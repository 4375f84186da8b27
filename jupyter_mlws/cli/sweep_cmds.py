"""``mlws sweep …``: hyperparameter sweeps (submit, list, show, cancel, extend)."""

from __future__ import annotations

from pathlib import Path

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.output import fmt_duration, fmt_time
from jupyter_mlws.entities import RunRecord
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.hyperdrive import TrialRow
from jupyter_mlws.services import sweeps
from jupyter_mlws.services.sweeps import SweepSettings, SweepSpec

SWEEP_COLUMNS = ["sweep", "name", "status", "trials", "metric", "duration", "created"]
TRIAL_COLUMNS = ["", "trial", "status", "params", "metric", "decision"]


def sweep_row(r: RunRecord) -> dict[str, object]:
    spec = r.definition.get("sweep", {})
    goal = str(spec.get("primary_metric_goal", "")).lower()[:3]
    return {
        "sweep": f"{r.experiment_name}:{r.number}",
        "id": r.id,
        "name": r.display_name,
        "status": r.status.value,
        "trials": spec.get("max_total_runs"),
        "metric": f"{spec.get('primary_metric_name')} ({goal})",
        "duration": fmt_duration(r.duration_ms),
        "created": fmt_time(r.created_ms),
    }


def trial_row(t: TrialRow, best_id: str | None) -> dict[str, object]:
    params = ", ".join(
        f"{k.lstrip('-')}={v:.4g}" if isinstance(v, float) else f"{k.lstrip('-')}={v}"
        for k, v in t.hyperparameters.items()
    )
    return {
        "": "*" if t.run_id == best_id else "",
        "trial": t.index,
        "status": t.status.value,
        "params": params,
        "metric": t.best,
        "decision": t.decision or "",
    }


@click.group("sweep")
def sweep() -> None:
    """Hyperparameter sweeps: a sweep run whose children are trials."""


@sweep.command(
    "submit", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False}
)
@click.argument("script")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=EXPR",
    help="A script argument and its range: lr=loguniform(-6,-1), bs=choice(16,32) (repeatable).",
)
@click.option("-m", "--metric", required=True, help="Primary metric the trials log.")
@click.option("--goal", type=click.Choice(["max", "min"]), default="max", show_default=True)
@click.option("--max-runs", default=20, show_default=True, type=int, help="Trials in total.")
@click.option("--concurrent", type=int, help="Trials at once (default: all).")
@click.option(
    "--policy",
    default="none",
    show_default=True,
    help="Early termination: bandit:slack=0.1[,interval=1,delay=3] | median:delay=5 | "
    "truncation:percent=20 | none.",
)
@click.option(
    "--sampling", type=click.Choice(list(sweeps.SAMPLINGS)), default="random", show_default=True
)
@click.option("--max-duration", type=float, help="Minutes after which the sweep stops.")
@click.option("--seed", type=int, help="Seed of the sampler.")
@click.option("-e", "--experiment", default="Default", show_default=True)
@click.option("-c", "--compute", default="local", show_default=True, help="Target of the trials.")
@click.option("--source-dir", type=click.Path(file_okay=False), help="Folder to snapshot.")
@click.option("-n", "--name", help="Display name of the sweep.")
@click.option("--wait", is_flag=True, help="Wait for the end, then show the trials.")
@json_option
def submit(
    script: str,
    args: tuple[str, ...],
    params: tuple[str, ...],
    metric: str,
    goal: str,
    max_runs: int,
    concurrent: int | None,
    policy: str,
    sampling: str,
    max_duration: float | None,
    seed: int | None,
    experiment: str,
    compute: str,
    source_dir: str | None,
    name: str | None,
    wait: bool,
) -> None:
    """Sweep SCRIPT over the --param ranges (options go before SCRIPT; ARGS are fixed)."""
    ctx = get_ctx()
    source = Path(source_dir or ".").resolve()
    script_path = (source / script) if source_dir else (Path.cwd() / script)
    script_path = script_path.resolve()
    if not script_path.is_relative_to(source):
        raise InvalidParameterError(
            f"script {script!r} must be inside the source folder {str(source)!r}"
        )
    spec = SweepSpec(
        script=script_path.relative_to(source).as_posix(),
        source_dir=source,
        params=params,
        settings=SweepSettings(
            metric=metric,
            goal=goal,
            max_runs=max_runs,
            concurrent=concurrent,
            policy=policy,
            sampling=sampling,
            max_duration_minutes=max_duration,
            display_name=name,
            seed=seed,
        ),
        experiment=experiment,
        compute=compute,
        arguments=args,
    )
    submitted = sweeps.submit_sweep(ctx.workspace(), spec)
    if wait:
        submitted.wait_for_completion(raise_on_error=False)
        _show(submitted.id)
        return
    record = submitted.refresh()
    ctx.out.record(sweep_row(record), data=record.to_dict())


@sweep.command("list")
@click.option("-e", "--experiment", help="Only this experiment's sweeps.")
@json_option
def list_sweeps(experiment: str | None) -> None:
    """Sweeps, newest first."""
    records = sweeps.list_sweeps(get_ctx().workspace(), experiment)
    get_ctx().out.table(
        [sweep_row(r) for r in records], SWEEP_COLUMNS, data=[r.to_dict() for r in records]
    )


def _show(ref: str) -> None:
    ctx = get_ctx()
    view = sweeps.show_sweep(ctx.workspace(), ref)
    if ctx.json:
        ctx.out.record({}, data=view.to_dict())
        return
    ctx.out.record(sweep_row(view.record))
    config = view.config
    space = ", ".join(f"{k}={v}" for k, v in config["parameter_space"].items())
    ctx.out.text(f"{config['sampling']} sampling over {space}; policy {config['policy']['kind']}")
    if view.record.error:
        ctx.out.text(f"error: {view.record.error.get('message')}")
    ctx.out.table([trial_row(t, view.best_run_id) for t in view.trials], TRIAL_COLUMNS)


@sweep.command("show")
@click.argument("run_ref")
@json_option
def show(run_ref: str) -> None:
    """A sweep's trials (params, primary metric, policy decision); * marks the best."""
    _show(run_ref)


@sweep.command("cancel")
@click.argument("run_ref")
@json_option
def cancel(run_ref: str) -> None:
    """Cancel a sweep and every trial still running."""
    record = sweeps.cancel_sweep(get_ctx().workspace(), run_ref)
    get_ctx().out.record({"sweep": record.id, "status": record.status.value}, data=record.to_dict())


@sweep.command("extend")
@click.argument("run_ref")
@click.option("--max-runs", required=True, type=int, help="Trials to add.")
@json_option
def extend(run_ref: str, max_runs: int) -> None:
    """Add trials to an ended sweep; its sampler starts from the trials it has."""
    record = sweeps.extend_sweep(get_ctx().workspace(), run_ref, max_runs)
    get_ctx().out.record(sweep_row(record), data=record.to_dict())
