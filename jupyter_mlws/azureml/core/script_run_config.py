"""``ScriptRunConfig`` with v1's signature, submitted through the native script config."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jupyter_mlws.azureml._notice import say_once
from jupyter_mlws.azureml.core.environment import native_environment
from jupyter_mlws.azureml.core.run import V1_ENVIRONMENT
from jupyter_mlws.azureml.core.runconfig import RunConfiguration
from jupyter_mlws.compute import ScriptRunConfig as NativeScriptRunConfig
from jupyter_mlws.compute.run_bindings import bind_all
from jupyter_mlws.compute.submit import submit_run

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Experiment, Run

DEFAULT_MAX_RUN_DURATION_S = 2_592_000  # v1's default: 30 days


class ScriptRunConfig:
    def __init__(
        self,
        source_directory: str | os.PathLike[str],
        script: str | None = None,
        arguments: Sequence[Any] | None = None,
        run_config: RunConfiguration | None = None,
        _telemetry_values: Any = None,
        compute_target: Any = None,
        environment: Any = None,
        distributed_job_config: Any = None,
        resume_from: Any = None,
        max_run_duration_seconds: int | None = DEFAULT_MAX_RUN_DURATION_S,
        command: str | Sequence[str] | None = None,
        docker_runtime_config: Any = None,
    ) -> None:
        self.source_directory = os.fspath(source_directory)
        self.run_config = run_config or RunConfiguration()
        if script is not None:
            self.run_config.script = script
        if arguments is not None:
            self.run_config.arguments = list(arguments)
        if compute_target is not None:
            self.run_config.target = compute_target
        if environment is not None:
            self.run_config.environment = environment
        if command is not None:
            self.run_config.command = command if isinstance(command, str) else list(command)
        if max_run_duration_seconds is not None:
            self.run_config.max_run_duration_seconds = max_run_duration_seconds
        if distributed_job_config is not None:
            say_once("distributed", "distributed_job_config: recorded; the script runs once")
        if docker_runtime_config is not None:
            self.run_config.docker = docker_runtime_config

    @property
    def script(self) -> str | None:
        return self.run_config.script

    @property
    def arguments(self) -> list[Any]:
        return list(self.run_config.arguments)

    @arguments.setter
    def arguments(self, value: Sequence[Any]) -> None:
        self.run_config.arguments = list(value)

    def native(self) -> NativeScriptRunConfig:
        rc = self.run_config
        command = rc.command.split() if isinstance(rc.command, str) else rc.command
        env = getattr(rc.environment, "environment_variables", None) or {}
        return NativeScriptRunConfig(
            source_dir=self.source_directory,
            script=rc.script,
            arguments=list(rc.arguments),
            compute=rc.target_name,
            max_duration_s=rc.max_run_duration_seconds,
            command=command,
            environment_variables={**env, **rc.environment_variables},
        )

    def submit_to(
        self,
        experiment: Experiment,
        tags: Mapping[str, Any] | None = None,
        parent_id: str | None = None,
        **kwargs: Any,
    ) -> Run:
        config = self.native()
        source = config.validate()
        environment = self.run_config.environment
        env_name = getattr(environment, "name", None) or "inherit"
        native_env = native_environment(experiment.workspace, environment)
        # Datasets and outputs in the arguments, and in run_config.data / output_data
        # (v1's other way to name inputs), become the native run's data bindings.
        bindings: list[dict[str, Any]] = []
        arguments = [str(a) for a in bind_all(config.arguments, bindings)]
        bind_all([*self.run_config.data.values(), *self.run_config.output_data.values()], bindings)
        definition = {
            "argv": config.argv(source),
            "script": config.script,
            "arguments": arguments,
            "data": bindings,
            "command": list(config.command or []),
            "max_duration_s": config.max_duration_s,
            "env": dict(config.environment_variables),
            # The v1 environment as written (get_details, get_environment); the native
            # version it maps to is the definition's "environment", built by the runner.
            V1_ENVIRONMENT: {"name": env_name},
        }
        return submit_run(
            experiment,
            kind="script",
            source_dir=source,
            compute=config.compute,
            definition=definition,
            tags=tags,
            properties={"azureml.runsource": "experiment"},
            display_name=kwargs.get("display_name"),
            parent_id=parent_id,
            environment=native_env,
        )
