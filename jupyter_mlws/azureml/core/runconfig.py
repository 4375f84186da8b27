"""``azureml.core.runconfig``: ``RunConfiguration`` and the docker/distributed settings.

Recorded as v1 code sets them; what a local or Dask run can use (script, arguments,
target, environment variables, max duration) is used, the rest is said once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jupyter_mlws.azureml._notice import say_once

# v1's base images: recorded in an environment's docker section (runs are local processes).
DEFAULT_CPU_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04"
DEFAULT_GPU_IMAGE = "mcr.microsoft.com/azureml/openmpi4.1.0-cuda11.1-cudnn8-ubuntu20.04"


@dataclass
class DockerConfiguration:
    use_docker: bool = False
    shared_volumes: bool = True
    arguments: list[str] | None = None
    shm_size: str | None = None


@dataclass
class MpiConfiguration:
    process_count_per_node: int = 1
    node_count: int = 1


@dataclass
class PyTorchConfiguration:
    communication_backend: str = "Nccl"
    process_count: int | None = None
    node_count: int = 1


@dataclass
class TensorflowConfiguration:
    worker_count: int = 1
    parameter_server_count: int = 1


@dataclass
class RunConfiguration:
    script: str | None = None
    arguments: list[Any] = field(default_factory=list)
    framework: str = "Python"
    communicator: str = "None"
    conda_dependencies: Any = None
    _history_enabled: bool = True
    _path: str | None = None
    _name: str | None = None
    command: str | list[str] | None = None
    target: Any = "local"
    environment: Any = None
    environment_variables: dict[str, str] = field(default_factory=dict)
    max_run_duration_seconds: int | None = None
    node_count: int = 1
    docker: DockerConfiguration | None = None
    data: dict[str, Any] = field(default_factory=dict)
    output_data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.environment is None:
            from jupyter_mlws.azureml.core.environment import Environment

            self.environment = Environment("inherit")
        if self.conda_dependencies is not None:
            self.environment.python.conda_dependencies = self.conda_dependencies

    @property
    def target_name(self) -> str:
        target = self.target
        name = target if isinstance(target, str) else getattr(target, "name", None)
        return str(name or "local")

    def save(self, path: str | None = None, name: str | None = None, **_: Any) -> None:
        say_once("runconfig.save", "RunConfiguration.save(): not written (runs carry it)")

    @staticmethod
    def load(path: str | None = None, name: str | None = None) -> RunConfiguration:
        say_once("runconfig.load", "RunConfiguration.load(): a default configuration")
        return RunConfiguration()


__all__ = [
    "DEFAULT_CPU_IMAGE",
    "DEFAULT_GPU_IMAGE",
    "DockerConfiguration",
    "MpiConfiguration",
    "PyTorchConfiguration",
    "RunConfiguration",
    "TensorflowConfiguration",
]
