"""``%%run --inline``: the cell runs in this kernel as a tracked interactive run.

Inside it ``Run.get_context()`` is the run, and what the cell prints is shown and also
kept in the run's log. An exception marks the run Failed with the cell's traceback
and is raised again; Ctrl-C (KeyboardInterrupt) marks it Canceled.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jupyter_mlws.magics.cell_code import compile_cell
from jupyter_mlws.magics.run_options import RunOptions
from jupyter_mlws.tracking.active_run import use_run
from jupyter_mlws.tracking.output_capture import capture_output
from jupyter_mlws.tracking.run import Run
from jupyter_mlws.workspace import Workspace


def start_inline_run(
    options: RunOptions, properties: Mapping[str, Any], ws: Workspace | None = None
) -> Run:
    ws = ws or Workspace.current()
    run = ws.experiment(options.experiment).start_logging(
        options.name, params=options.params, tags=options.tags, kind="interactive"
    )
    if properties:
        run.add_properties(properties)
    return run


def run_inline(shell: Any, cell: str, run: Run, params: Mapping[str, Any]) -> Any:
    """Execute ``cell`` under ``run``; the cell's final value is returned."""
    __tracebackhide__ = True  # IPython hides this frame when the cell's error is shown
    try:
        compiled = compile_cell(shell, cell)
    except SyntaxError as exc:
        run.fail(exc.with_traceback(None))
        raise
    shell.user_ns.update(params)
    failure: BaseException | None = None
    with use_run(run), capture_output(run) as log:
        try:
            value = compiled.run(shell)
        except BaseException as exc:
            failure = exc.with_traceback(compiled.user_traceback(exc))
            if not isinstance(exc, KeyboardInterrupt):
                log.write("".join(traceback.format_exception(failure)))
    # the run ends after its log is complete, so a final look at it misses nothing
    if failure is None:
        run.complete()
        return value
    if isinstance(failure, KeyboardInterrupt):
        run.__exit__(KeyboardInterrupt, failure, failure.__traceback__)  # → Canceled
    else:
        run.fail(failure)
    raise failure


def default_source_dir(notebook: Path | None) -> Path:
    return notebook.parent if notebook is not None else Path.cwd()
