"""``%%run --sweep``: the cell's trials, one per sampled set of its ``-p`` ranges."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jupyter_mlws.compute.cell_config import CellRunConfig
from jupyter_mlws.hyperdrive import SweepRun
from jupyter_mlws.magics.cell_code import has_ipython_syntax
from jupyter_mlws.magics.errors import MagicError
from jupyter_mlws.magics.run_options import RunOptions
from jupyter_mlws.services import sweeps
from jupyter_mlws.workspace import Workspace

# "choice(16, 32)": a -p value of this shape is a range to sweep, not a text param
EXPRESSION = re.compile(r"^\s*[A-Za-z_]\w*\s*\(.*\)\s*$", re.DOTALL)


def split_params(params: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """(swept: name → expression text, fixed: name → value)."""
    swept = {k: v for k, v in params.items() if isinstance(v, str) and EXPRESSION.match(v)}
    fixed = {k: v for k, v in params.items() if k not in swept}
    return swept, fixed


def submit_cell_sweep(
    shell: Any, cell: str, options: RunOptions, source_dir: Path, properties: Mapping[str, Any]
) -> SweepRun:
    assert options.sweep is not None
    swept, fixed = split_params(options.params)
    if not swept:
        raise MagicError("--sweep needs at least one -p NAME=EXPR, e.g. -p lr=loguniform(-6,-1)")
    config = CellRunConfig(
        source=cell,
        source_dir=source_dir,
        compute=options.compute,
        params=fixed,
        tags=options.tags,
        properties=properties,
        ipython_syntax=has_ipython_syntax(shell, cell),
        environment=options.environment,
    )
    ws = Workspace.current()
    return sweeps.submit_cell_sweep(ws, options.experiment, config, swept, options.sweep)
