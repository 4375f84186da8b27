"""``azureml.core.Environment``: the v1 spec object (python, docker, variables).

A v1 environment is recorded with the run and its variables are set; building it is
the native environments capability, which is not on main yet: ``register``/``get``/
``build`` say so with ``NotAvailableError``, and runs use the current interpreter.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jupyter_mlws.azureml.core.conda_dependencies import CondaDependencies
from jupyter_mlws.azureml.exceptions import NotAvailableError

if TYPE_CHECKING:
    from jupyter_mlws.azureml.core.workspace import Workspace

FEATURE = "environments (Environment.register/get/build)"


@dataclass
class PythonSection:
    user_managed_dependencies: bool = False
    interpreter_path: str = "python"
    conda_dependencies_file: str | None = None
    conda_dependencies: CondaDependencies = field(default_factory=CondaDependencies)


@dataclass
class DockerSection:
    enabled: bool = False
    base_image: str | None = None
    base_dockerfile: str | None = None
    shared_volumes: bool = True
    arguments: builtins.list[str] = field(default_factory=list)


class Environment:
    def __init__(self, name: str, **kwargs: Any) -> None:
        self.name = name
        self.version: str | None = None
        self.python = PythonSection()
        self.docker = DockerSection()
        self.environment_variables: dict[str, str] = {}
        self.inferencing_stack_version: str | None = None

    @staticmethod
    def from_conda_specification(name: str, file_path: str) -> Environment:
        env = Environment(name)
        env.python.conda_dependencies = CondaDependencies(file_path)
        return env

    @staticmethod
    def from_pip_requirements(
        name: str, file_path: str, pip_version: str | None = None
    ) -> Environment:
        env = Environment(name)
        with open(file_path, encoding="utf-8") as handle:
            for line in handle:
                line = line.split("#", 1)[0].strip()
                if line:
                    env.python.conda_dependencies.add_pip_package(line)
        return env

    @staticmethod
    def from_existing_conda_environment(name: str, conda_environment_name: str) -> Environment:
        raise NotAvailableError(FEATURE)

    @staticmethod
    def get(
        workspace: Workspace, name: str, version: str | None = None, label: str | None = None
    ) -> Environment:
        raise NotAvailableError(FEATURE)

    @staticmethod
    def list(workspace: Workspace) -> dict[str, Environment]:
        return {}

    def register(self, workspace: Workspace) -> Environment:
        raise NotAvailableError(FEATURE)

    def build(self, workspace: Workspace, image_build_compute: Any = None) -> Any:
        raise NotAvailableError(FEATURE)

    def build_local(self, workspace: Workspace, platform: Any = None, **kwargs: Any) -> Any:
        raise NotAvailableError(FEATURE)

    def get_image_details(self, workspace: Workspace) -> Any:
        raise NotAvailableError(FEATURE)

    def __repr__(self) -> str:
        return f"Environment(Name: {self.name}, Version: {self.version})"
