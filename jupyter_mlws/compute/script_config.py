"""``ScriptRunConfig``: a Python script in a source folder, submitted as a run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.compute.run_bindings import bind, bind_all
from jupyter_mlws.compute.run_bindings import environment as run_env_vars
from jupyter_mlws.compute.submit import submit_run, submit_tags
from jupyter_mlws.environments import resolve_environment
from jupyter_mlws.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Experiment, Run


@dataclass
class ScriptRunConfig:
    source_dir: str | Path = "."
    script: str | None = None
    arguments: Sequence[Any] = ()
    compute: str = "local"
    max_duration_s: float | None = None
    tags: Mapping[str, Any] | None = None
    params: Mapping[str, Any] | None = None
    display_name: str | None = None
    command: Sequence[str] | None = None
    environment: Any = None  # an Environment, "name" or "name:version"; None: inherit
    environment_variables: Mapping[str, Any] = field(default_factory=dict)
    # Key-vault secrets the run may read (as MLWS_SECRET_<NAME> or run.get_secret);
    # an environment variable may also be a reference {"secret": NAME}.
    secrets: Sequence[str] = ()

    def argv(self, source: Path) -> list[str]:
        if self.command:
            return [str(a) for a in self.command]
        if not self.script:
            raise InvalidParameterError("ScriptRunConfig needs script= (or command=)")
        script = Path(self.script)
        if script.is_absolute() or ".." in script.parts:
            raise InvalidParameterError(
                f"script {self.script!r} must be a path inside source_dir {str(source)!r}"
            )
        if not (source / script).is_file():
            raise InvalidParameterError(f"script {self.script!r} not found in {str(source)!r}")
        return ["{python}", script.as_posix(), *(str(bind(a, [])) for a in self.arguments)]

    def validate(self) -> Path:
        """Check the config without touching the workspace; returns the source folder."""
        source = Path(self.source_dir).expanduser().resolve()
        if not source.is_dir():
            raise InvalidParameterError(f"source_dir {str(source)!r} is not a folder")
        if self.max_duration_s is not None and self.max_duration_s <= 0:
            raise InvalidParameterError("max_duration_s must be positive")
        self.argv(source)
        return source

    def submit_to(
        self, experiment: Experiment, *, tags: Mapping[str, Any] | None = None, **options: Any
    ) -> Run:
        run_tags = submit_tags(self, self.tags, tags, options)
        return submit_run(experiment, tags=run_tags, **self.submission(experiment))

    def submission(self, experiment: Experiment) -> dict[str, Any]:
        """What ``submit_run`` takes for this config (tags aside): a sweep makes its
        trials from it, each with its own arguments."""
        source = self.validate()
        environment = resolve_environment(experiment.workspace, self.environment)
        bindings: list[dict[str, Any]] = []
        arguments = [str(a) for a in bind_all(self.arguments, bindings)]
        env, secrets = run_env_vars(self.environment_variables, self.secrets)
        return dict(
            kind="script",
            source_dir=source,
            compute=self.compute,
            definition={
                "argv": self.argv(source),
                "script": self.script,
                "arguments": arguments,
                "max_duration_s": self.max_duration_s,
                "env": env,
                "secrets": secrets,
                "data": bindings,
            },
            params=self.params,
            display_name=self.display_name,
            environment=environment,
        )
