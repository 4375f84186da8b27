"""``NotebookRunConfig``: a notebook executed by papermill with parameters, as a run.

The runner stays generic: a notebook run is the command ``python -m
jupyter_mlws.notebooks.execute NOTEBOOK OUTPUT --parameters JSON --kernel NAME`` plus a
warm spec (``python -m jupyter_mlws.notebooks.warm --kernel NAME``) that lets a target's
warm pool hand the run a kernel started ahead of time. Nothing here imports papermill.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.compute.run_bindings import bind
from jupyter_mlws.compute.run_bindings import environment as run_env_vars
from jupyter_mlws.compute.submit import submit_run, submit_tags
from jupyter_mlws.environments import resolve_environment
from jupyter_mlws.environments.runtime import KERNEL_NAME as ENV_KERNEL
from jupyter_mlws.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Experiment, Run

EXECUTE_MODULE = "jupyter_mlws.notebooks.execute"
WARM_MODULE = "jupyter_mlws.notebooks.warm"
DEFAULT_KERNEL = "python3"


def warm_spec(kernel_name: str) -> list[str]:
    return ["{python}", "-m", WARM_MODULE, "--kernel", kernel_name]


def notebook_kernel_name(path: Path) -> str:
    """The kernelspec named in the notebook's metadata, else ``python3``."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        raise InvalidParameterError(f"{str(path)!r} is not a readable notebook") from None
    return str((meta.get("kernelspec") or {}).get("name") or DEFAULT_KERNEL)


def check_parameters(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """Names must be identifiers (papermill assigns them); values must be JSON data."""
    clean: dict[str, Any] = {}
    for name, value in parameters.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise InvalidParameterError(f"notebook parameter name {name!r} is not an identifier")
        try:
            text = json.dumps(value)
        except (TypeError, ValueError):
            raise InvalidParameterError(
                f"notebook parameter {name!r} must be JSON data (str, number, bool, None, "
                f"list, dict), got {type(value).__name__}"
            ) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidParameterError(f"notebook parameter {name!r} must be finite")
        clean[name] = json.loads(text)
    return clean


@dataclass
class NotebookRunConfig:
    notebook: str | Path
    parameters: Mapping[str, Any] | None = None
    compute: str = "local"
    kernel_name: str | None = None
    source_dir: str | Path | None = None
    tags: Mapping[str, Any] | None = None
    display_name: str | None = None
    max_duration_s: float | None = None
    # the params recorded on the run (default: ``parameters``); front doors pass every
    # parameter the run uses, defaults included (``notebooks.applied_parameters``)
    params: Mapping[str, Any] | None = None
    environment: Any = None  # an Environment, "name" or "name:version"; None: inherit
    environment_variables: Mapping[str, Any] = field(default_factory=dict)
    secrets: Sequence[str] = ()  # as ScriptRunConfig.secrets

    def resolve(self) -> tuple[Path, str]:
        """The source folder to snapshot and the notebook's path inside it."""
        notebook = Path(self.notebook).expanduser().resolve()
        if notebook.suffix != ".ipynb" or not notebook.is_file():
            raise InvalidParameterError(f"no such notebook {str(self.notebook)!r}")
        source = (
            Path(self.source_dir).expanduser().resolve() if self.source_dir else notebook.parent
        )
        if not source.is_dir():
            raise InvalidParameterError(f"source_dir {str(source)!r} is not a folder")
        if not notebook.is_relative_to(source):
            raise InvalidParameterError(
                f"notebook {str(notebook)!r} must be inside source_dir {str(source)!r}"
            )
        return source, notebook.relative_to(source).as_posix()

    def validate(self) -> None:
        """Every mistake, before anything is made (no experiment is created for nothing)."""
        self.resolve()
        if self.max_duration_s is not None and self.max_duration_s <= 0:
            raise InvalidParameterError("max_duration_s must be positive")
        check_parameters({k: bind(v, []) for k, v in (self.parameters or {}).items()})

    def submit_to(
        self, experiment: Experiment, *, tags: Mapping[str, Any] | None = None, **options: Any
    ) -> Run:
        self.validate()
        run_tags = submit_tags(self, self.tags, tags, options)
        return submit_run(experiment, tags=run_tags, **self.submission(experiment))

    def submission(self, experiment: Experiment) -> dict[str, Any]:
        """What ``submit_run`` takes for this config (tags aside), as ScriptRunConfig's."""
        self.validate()
        source, rel = self.resolve()
        bindings: list[dict[str, Any]] = []
        bound = {k: bind(v, bindings) for k, v in (self.parameters or {}).items()}
        parameters = check_parameters(bound)
        env, secrets = run_env_vars(self.environment_variables, self.secrets)
        recorded = parameters if self.params is None else {**self.params, **parameters}
        environment = resolve_environment(experiment.workspace, self.environment)
        if environment is not None:  # the kernel of the environment's build
            kernel = self.kernel_name or ENV_KERNEL
        else:
            kernel = self.kernel_name or notebook_kernel_name(source / rel)
        # the warm spec of an environment gets its kernelspec folder in Preparing
        warm_key = "warm_env" if environment is not None else "warm"
        output = f"outputs/{Path(rel).name}"
        argv = [
            "{python}",
            "-m",
            EXECUTE_MODULE,
            rel,
            output,
            "--parameters",
            json.dumps(parameters),
            "--kernel",
            kernel,
        ]
        return dict(
            kind="notebook",
            source_dir=source,
            compute=self.compute,
            definition={
                "argv": argv,
                warm_key: warm_spec(kernel),
                "notebook": rel,
                "parameters": parameters,
                "kernel_name": kernel,
                "output": output,
                "max_duration_s": self.max_duration_s,
                "env": env,
                "secrets": secrets,
                "data": bindings,
            },
            params=recorded,  # defaults too: the params say what the run really used
            properties={
                "mlws.notebook": rel,
                "mlws.notebook.output": output,
                "mlws.notebook.kernel": kernel,
            },
            display_name=self.display_name,
            environment=environment,
        )
