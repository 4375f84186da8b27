"""The one click command tree behind both ``mlws`` and ``%mlws``.

Command groups are imported lazily, by name, so that ``mlws run list`` does not pay for
Dask or Starlette, and a group whose optional extra is missing fails only when used.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

from jupyter_mlws.cli.context import CliContext

COMMANDS: dict[str, str] = {
    "init": "jupyter_mlws.cli.workspace_cmds:init",
    "workspace": "jupyter_mlws.cli.workspace_cmds:workspace",
    "experiment": "jupyter_mlws.cli.experiment_cmds:experiment",
    "run": "jupyter_mlws.cli.run_cmds:run",
    "notebook": "jupyter_mlws.cli.notebook_cmds:notebook",
    "compute": "jupyter_mlws.cli.compute_cmds:compute",
    "model": "jupyter_mlws.cli.model_cmds:model",
    "endpoint": "jupyter_mlws.cli.endpoint_cmds:endpoint",
    "environment": "jupyter_mlws.cli.environment_cmds:environment",
    "secret": "jupyter_mlws.cli.secret_cmds:secret",
    "datastore": "jupyter_mlws.cli.data_cmds:datastore",
    "dataset": "jupyter_mlws.cli.data_cmds:dataset",
    "sweep": "jupyter_mlws.cli.sweep_cmds:sweep",
    "demo": "jupyter_mlws.cli.demo:demo",
    "examples": "jupyter_mlws.cli.examples_cmds:examples",
    "pipeline": "jupyter_mlws.cli.pipeline_cmds:pipeline",
    "schedule": "jupyter_mlws.cli.schedule_cmds:schedule",
    "scheduler": "jupyter_mlws.cli.schedule_cmds:scheduler",
    "activity": "jupyter_mlws.cli.activity_cmds:activity",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in COMMANDS if self._spec_exists(name)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = COMMANDS.get(cmd_name)
        if spec is None or not self._spec_exists(cmd_name):
            return None
        module, _, attr = spec.partition(":")
        command = getattr(importlib.import_module(module), attr)
        assert isinstance(command, click.Command)
        return command

    @staticmethod
    def _spec_exists(name: str) -> bool:
        return importlib.util.find_spec(COMMANDS[name].partition(":")[0]) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-w",
    "--workspace",
    "workspace_path",
    envvar="MLWS_WORKSPACE",
    help="Workspace folder (default: nearest .mlws/ upwards, else ~/.mlws).",
)
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.pass_context
def cli(ctx: click.Context, workspace_path: str | None, as_json: bool) -> None:
    """mlws: a machine-learning workspace that lives inside Jupyter."""
    obj = ctx.ensure_object(CliContext)
    obj.workspace_path = obj.workspace_path or workspace_path
    obj.json = obj.json or as_json
