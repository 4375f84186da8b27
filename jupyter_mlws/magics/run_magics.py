"""``%%run`` and ``%mlws``: the notebook's front door.

Both translate their words into the same calls as the SDK and the CLI; neither holds
logic of its own. Errors fail the cell with one clear line.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path
from typing import Any

from jupyter_mlws.exceptions import MlwsError
from jupyter_mlws.magics import display
from jupyter_mlws.magics.cell_inline import default_source_dir, run_inline, start_inline_run
from jupyter_mlws.magics.cell_submit import submit_cell
from jupyter_mlws.magics.cell_sweep import submit_cell_sweep
from jupyter_mlws.magics.errors import MagicError
from jupyter_mlws.magics.notebook_path import find_notebook_path
from jupyter_mlws.magics.run_options import help_text, parse_run_options, split_magic_line
from jupyter_mlws.tracking.run import Run

LAST_RUN = "_mlws_run"  # the namespace name of the run the last %%run made

MLWS_HELP = """Run an ``mlws`` command: ``%mlws`` takes exactly the words of the CLI.

In a notebook, tables render as HTML and runs as live widgets; in a terminal IPython
the output is the CLI's text. Errors are one line. Examples::

    %mlws run list -e my-experiment
    %mlws run show my-experiment:3
    %mlws run logs my-experiment:3
    %mlws experiment list
    %mlws --help            (every command)
    %mlws run submit --help
"""


class MlwsMagics:
    """The magics of one shell; ``register`` makes them ``%%run`` and ``%mlws``."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell

    def register(self) -> None:
        manager = self.shell.magics_manager
        manager.register_function(self.run_cell_magic, magic_kind="cell", magic_name="run")
        manager.register_function(self.mlws, magic_kind="line", magic_name="mlws")

    def unregister(self) -> None:
        magics = self.shell.magics_manager.magics
        for kind, name in (("cell", "run"), ("line", "mlws")):
            magics[kind].pop(name, None)

    def run_cell_magic(self, line: str, cell: str) -> Any:
        __tracebackhide__ = True
        options = parse_run_options(line)
        notebook = find_notebook_path(self.shell.user_ns)
        properties = {"notebook": str(notebook)} if notebook else {}
        try:
            if options.inline:
                run = start_inline_run(options, properties)
            elif options.sweep is not None:
                source = Path(options.source_dir) if options.source_dir else None
                run = submit_cell_sweep(
                    self.shell,
                    cell,
                    options,
                    (source or default_source_dir(notebook)).expanduser(),
                    properties,
                )
            else:
                source = Path(options.source_dir) if options.source_dir else None
                run = submit_cell(
                    self.shell,
                    cell,
                    options,
                    (source or default_source_dir(notebook)).expanduser(),
                    properties,
                )
        except MlwsError as exc:
            raise MagicError(exc.message) from None
        self.shell.user_ns[LAST_RUN] = run
        self._announce(run, options.widget)
        if options.inline:
            return run_inline(self.shell, cell, run, options.params)
        return None

    def _announce(self, run: Run, widget: bool) -> None:
        if widget and display.in_notebook(self.shell):
            display.show(run)
            return
        r = run.record
        print(f"[mlws] run {r.experiment_name}:{r.number} ({r.id}) {r.status.value} on {r.compute}")

    def mlws(self, line: str) -> None:
        from jupyter_mlws.cli import invoke
        from jupyter_mlws.cli.context import CliContext

        try:
            words = split_magic_line(line)  # a trailing "# ..." is a comment
        except ValueError as exc:
            raise MagicError(f"cannot parse the command: {exc}") from None
        ctx = CliContext()
        if display.in_notebook(self.shell):
            from jupyter_mlws.magics.notebook_output import NotebookOutput

            ctx.output = NotebookOutput(ctx.workspace)
        errors = io.StringIO()
        with contextlib.redirect_stderr(errors):
            code = invoke(words, obj=ctx, door="magics")
        if code != 0:
            lines = errors.getvalue().strip().splitlines() or [f"exit code {code}"]
            raise MagicError(lines[-1].removeprefix("mlws: error: "), "\n".join(lines[:-1]))
        sys.stderr.write(errors.getvalue())


MlwsMagics.run_cell_magic.__doc__ = help_text()
MlwsMagics.mlws.__doc__ = MLWS_HELP
