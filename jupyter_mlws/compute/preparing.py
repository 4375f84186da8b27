"""The Preparing phase's pluggable steps: what must exist before the user's code starts.

Capabilities that sit beside compute (data: secrets and dataset inputs) hook in by
module name, so compute never imports them; a run whose definition asks for none of
them imports nothing. A step that fails fails the run in Preparing, before user code.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Workspace

# definition key that asks for the step → "module:function(ws, run_id, definition,
# workdir, preparation, log)"
PREPARERS: dict[str, str] = {
    "secrets": "jupyter_mlws.data.run_prepare:prepare_secrets",
    "data": "jupyter_mlws.data.run_prepare:prepare_data",
}


@dataclass
class Preparation:
    env: dict[str, str] = field(default_factory=dict)
    # argv placeholders (e.g. a dataset input) → what the user's code gets (a local path)
    replacements: dict[str, str] = field(default_factory=dict)
    redact: list[str] = field(default_factory=list)  # secret values to mask in logs
    on_success: list[Callable[[], None]] = field(default_factory=list)  # output datasets

    def apply(self, argv: list[str]) -> list[str]:
        out = []
        for arg in argv:
            for token, value in self.replacements.items():
                arg = arg.replace(token, value)
            out.append(arg)
        return out


def prepare(
    ws: Workspace,
    run_id: str,
    definition: Mapping[str, Any],
    workdir: Path,
    log: Callable[[str], None],
) -> Preparation:
    preparation = Preparation()
    for key, spec in PREPARERS.items():
        if definition.get(key):
            module, _, name = spec.partition(":")
            step = getattr(importlib.import_module(module), name)
            step(ws, run_id, definition, workdir, preparation, log)
    return preparation
