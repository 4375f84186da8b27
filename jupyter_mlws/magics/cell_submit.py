"""``%%run`` (default): the cell is submitted as a run on a compute target."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jupyter_mlws.compute.cell_config import CellRunConfig
from jupyter_mlws.magics.cell_code import has_ipython_syntax
from jupyter_mlws.magics.run_options import RunOptions
from jupyter_mlws.tracking.run import Run
from jupyter_mlws.workspace import Workspace


def submit_cell(
    shell: Any,
    cell: str,
    options: RunOptions,
    source_dir: Path,
    properties: Mapping[str, Any],
    ws: Workspace | None = None,
) -> Run:
    """Queue the run and start it if a slot is free; returns without waiting for it."""
    ws = ws or Workspace.current()
    config = CellRunConfig(
        source=cell,
        source_dir=source_dir,
        compute=options.compute,
        params=options.params,
        tags=options.tags,
        properties=properties,
        display_name=options.name,
        ipython_syntax=has_ipython_syntax(shell, cell),
        environment=options.environment,
    )
    return ws.experiment(options.experiment).submit(config)
