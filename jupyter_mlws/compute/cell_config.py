"""``CellRunConfig``: a notebook cell submitted as a run (what ``%%run`` builds).

The cell's source becomes the run's script, added to the snapshot of the source
folder (the notebook's folder), so the run sees the notebook's neighbours exactly as
the cell does and the script is kept with the run. Params are injected as variables
on the script's first line and recorded as the run's params.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.compute.submit import submit_run, submit_tags
from jupyter_mlws.environments import resolve_environment
from jupyter_mlws.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Experiment, Run

CELL_SCRIPT = "mlws_cell"
PARAM_MARKER = "# parameters injected by %%run -p"


@dataclass
class CellRunConfig:
    source: str
    source_dir: str | Path = "."
    compute: str = "local"
    params: Mapping[str, Any] = field(default_factory=dict)
    tags: Mapping[str, Any] | None = None
    properties: Mapping[str, Any] | None = None
    display_name: str | None = None
    ipython_syntax: bool = False  # magics or !shell lines: run the script under IPython
    max_duration_s: float | None = None
    environment: Any = None  # an Environment, "name" or "name:version"; None: inherit

    @property
    def script_name(self) -> str:
        return f"{CELL_SCRIPT}.ipy" if self.ipython_syntax else f"{CELL_SCRIPT}.py"

    def script(self) -> str:
        """The cell, preceded by one line assigning the params (so line numbers shift by 1)."""
        for name in self.params:
            if not name.isidentifier() or keyword.iskeyword(name):
                raise InvalidParameterError(f"param {name!r} is not a valid Python variable name")
        if not self.params:
            return self.source
        header = "; ".join(f"{k} = {v!r}" for k, v in self.params.items())
        return f"{header}  {PARAM_MARKER}\n{self.source}"

    def argv(self) -> list[str]:
        if self.ipython_syntax:
            return ["{python}", "-m", "IPython", "--quick", "--no-banner", self.script_name]
        return ["{python}", self.script_name]

    def submit_to(
        self, experiment: Experiment, *, tags: Mapping[str, Any] | None = None, **options: Any
    ) -> Run:
        run_tags = submit_tags(self, self.tags, tags, options)
        return submit_run(experiment, tags=run_tags, **self.submission(experiment))

    def submission(self, experiment: Experiment) -> dict[str, Any]:
        """What ``submit_run`` takes for this cell (tags aside), as ScriptRunConfig's."""
        source = Path(self.source_dir).expanduser().resolve()
        if not source.is_dir():
            raise InvalidParameterError(f"source folder {str(source)!r} is not a folder")
        script = self.script()
        environment = resolve_environment(experiment.workspace, self.environment)
        return dict(
            kind="cell",
            source_dir=source,
            compute=self.compute,
            definition={
                "argv": self.argv(),
                "script": self.script_name,
                "max_duration_s": self.max_duration_s,
                "env": {},
            },
            params=self.params,
            properties=self.properties,
            display_name=self.display_name,
            extra_files={self.script_name: script.encode("utf-8")},
            environment=environment,
        )
