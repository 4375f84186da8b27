"""``azureml.core.Environment``: the v1 spec object, mapped onto native environments.

``register``/``get``/``list``/``build_local`` are the native registry's; a submitted run
or a deployment builds the mapped spec (``environment_mapping``) once and reuses it. A
``user_managed_dependencies`` environment, and ``AzureML-Minimal``, are the interpreter
running jupyter-mlws (``inherit``). Docker settings are kept in the spec for the
Dockerfile export (``mlws environment dockerfile``); runs are local processes.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jupyter_mlws.azureml._notice import say_once
from jupyter_mlws.azureml.core import environment_mapping as mapping
from jupyter_mlws.azureml.core.conda_dependencies import CondaDependencies
from jupyter_mlws.azureml.exceptions import NotAvailableError
from jupyter_mlws.environments import EnvironmentSpec, EnvironmentVersion, resolve_environment
from jupyter_mlws.environments.spec import INHERIT
from jupyter_mlws.exceptions import ResourceNotFoundError
from jupyter_mlws.services import environments as service

if TYPE_CHECKING:
    from jupyter_mlws.environments.build import Build
    from jupyter_mlws.tracking import Workspace


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
    def from_docker_image(
        name: str,
        image: str,
        container_registry: Any = None,
        conda_specification: str | None = None,
        pip_requirements: str | None = None,
    ) -> Environment:
        if conda_specification:
            env = Environment.from_conda_specification(name, conda_specification)
        elif pip_requirements:
            env = Environment.from_pip_requirements(name, pip_requirements)
        else:
            env = Environment(name)
        env.docker.base_image = image
        return env

    @staticmethod
    def from_existing_conda_environment(name: str, conda_environment_name: str) -> Environment:
        raise NotAvailableError("conda environments (there is no conda here)")

    # ---- the registry ----------------------------------------------------------------
    @staticmethod
    def get(
        workspace: Workspace, name: str, version: str | None = None, label: str | None = None
    ) -> Environment:
        """A registered version; a curated name (``AzureML-…``) not registered here is
        its local equivalent, registered under that name on first use."""
        ref = name if version is None else f"{name}:{version}"
        try:
            return Environment._of(service.get(workspace, ref))
        except ResourceNotFoundError:
            family = mapping.curated_family(name)
            if family is None or version is not None:
                raise
        requirements = mapping.curated_requirements(family)
        if requirements is None:
            env = Environment(name)
            env.python.user_managed_dependencies = True
            return env
        return Environment._of(
            service.register(workspace, name, EnvironmentSpec(requirements=requirements))
        )

    @staticmethod
    def list(workspace: Workspace) -> dict[str, Environment]:
        """Name → the latest version (as v1's ``Environment.list``)."""
        latest: dict[str, EnvironmentVersion] = {}
        for env in service.list_versions(workspace):
            latest[env.name] = env
        return {name: Environment._of(env) for name, env in latest.items()}

    def register(self, workspace: Workspace) -> Environment:
        """A new version, or the existing one when the definition is the same."""
        registered = self.native(workspace)
        if registered is None:
            return self  # user-managed: the interpreter itself, nothing to register
        self.version = str(registered.version)
        return self

    def build_local(
        self, workspace: Workspace, platform: Any = None, **kwargs: Any
    ) -> Build | None:
        registered = self.native(workspace)
        if registered is None:
            return None
        _, build = service.build(workspace, registered.ref, _print)
        return build

    def build(self, workspace: Workspace, image_build_compute: Any = None) -> _BuildDetails:
        """v1 built an image in the cloud; here the environment is built on this machine."""
        say_once("environment-build", "Environment.build: built on this machine (no image)")
        return _BuildDetails(self, workspace)

    def get_image_details(self, workspace: Workspace) -> dict[str, Any]:
        registered = self.native(workspace)
        return {} if registered is None else registered.to_dict()

    # ---- mapping onto native environments -----------------------------------------------
    @property
    def is_inherit(self) -> bool:
        return self.python.user_managed_dependencies or self.name == INHERIT

    def spec(self) -> EnvironmentSpec:
        deps = self.python.conda_dependencies
        mapped = mapping.map_packages(deps.pip_packages, deps.conda_packages)
        if mapped.dropped:
            say_once(
                f"environment-dropped-{self.name}",
                f"environment {self.name!r}: {', '.join(mapped.dropped)} not installed "
                "(jupyter-mlws provides azureml; wheels bring their own system libraries)",
            )
        docker = {"base_image": self.docker.base_image}
        if self.docker.base_dockerfile:
            docker["base_dockerfile"] = self.docker.base_dockerfile
        return EnvironmentSpec.build(
            mapped.requirements,
            deps.get_python_version(),
            [deps.pip_index_url] if deps.pip_index_url else (),
            self.environment_variables,
            docker,
        )

    def native(self, workspace: Workspace) -> EnvironmentVersion | None:
        """The registered native version runs of this environment use (None: inherit)."""
        if self.is_inherit:
            return None
        return service.register(workspace, self.name, self.spec())

    @classmethod
    def _of(cls, record: EnvironmentVersion) -> Environment:
        env = cls(record.name)
        env.version = str(record.version)
        env.python.conda_dependencies = CondaDependencies.create(
            pip_indexurl=record.spec.index_urls[0] if record.spec.index_urls else None,
            pip_packages=list(record.spec.requirements),
            python_version=record.spec.python,
        )
        env.environment_variables = dict(record.spec.env_vars)
        env.docker.base_image = record.spec.docker.get("base_image")
        env.docker.base_dockerfile = record.spec.docker.get("base_dockerfile")
        return env

    def __repr__(self) -> str:
        return f"Environment(Name: {self.name}, Version: {self.version})"


def native_environment(workspace: Workspace, environment: Any) -> EnvironmentVersion | None:
    """The native version a v1 (or native) environment maps to; None: this interpreter."""
    if environment is None:
        return None
    if isinstance(environment, Environment):
        return environment.native(workspace)
    return resolve_environment(workspace, environment)


class _BuildDetails:
    """What v1's ``Environment.build`` returns: ``wait_for_completion(show_output)``."""

    def __init__(self, env: Environment, workspace: Workspace) -> None:
        self._env, self._workspace = env, workspace

    def wait_for_completion(self, show_output: bool = False) -> None:
        registered = self._env.native(self._workspace)
        if registered is not None:
            service.build(self._workspace, registered.ref, _print if show_output else _quiet)


def _print(text: str) -> None:
    print(text, end="", flush=True)


def _quiet(text: str) -> None:
    pass
