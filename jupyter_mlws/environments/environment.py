"""``Environment``: the Azure ML SDK v1 face of environment versions.

``Environment.from_pip_requirements("sk", "requirements.txt").register(ws)`` gives
version 1; registering the same definition again gives the same version. An
environment with ``python.user_managed_dependencies = True`` is ``inherit``: the
interpreter that runs jupyter-mlws, nothing built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.environments import registry
from jupyter_mlws.environments.conda import CondaDependencies, read_conda_file
from jupyter_mlws.environments.installer import Log
from jupyter_mlws.environments.prepare import ensure_build
from jupyter_mlws.environments.registry import EnvironmentVersion
from jupyter_mlws.environments.spec import (
    INHERIT,
    EnvironmentSpec,
    check_name,
    parse_ref,
    read_requirements,
)
from jupyter_mlws.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from jupyter_mlws.environments.build import Build
    from jupyter_mlws.tracking import Workspace


@dataclass
class PythonSection:
    user_managed_dependencies: bool = False
    interpreter_path: str | None = None
    conda_dependencies: CondaDependencies = field(default_factory=CondaDependencies)


class Environment:
    def __init__(self, name: str) -> None:
        self.name = name if name == INHERIT else check_name(name)
        self.version: int | None = None
        self.python = PythonSection(user_managed_dependencies=name == INHERIT)
        self.environment_variables: dict[str, str] = {}
        self.index_urls: list[str] = []
        self._python_version: str | None = None
        self._record: EnvironmentVersion | None = None

    # ---- definition ----------------------------------------------------------------
    @property
    def python_version(self) -> str | None:
        return self._python_version or self.python.conda_dependencies.python_version

    @python_version.setter
    def python_version(self, value: str | None) -> None:
        self._python_version = value

    @property
    def pip_packages(self) -> list[str]:
        return self.python.conda_dependencies.pip_packages

    @pip_packages.setter
    def pip_packages(self, packages: list[str]) -> None:
        self.python.conda_dependencies.pip_packages = list(packages)

    @property
    def is_inherit(self) -> bool:
        return self.python.user_managed_dependencies

    def spec(self) -> EnvironmentSpec:
        return EnvironmentSpec.build(
            self.pip_packages, self.python_version, self.index_urls, self.environment_variables
        )

    @classmethod
    def from_pip_requirements(
        cls, name: str, file_path: str | Path, pip_version: str | None = None
    ) -> Environment:
        env = cls(name)
        env.pip_packages = read_requirements(file_path)
        return env

    @classmethod
    def from_conda_specification(cls, name: str, file_path: str | Path) -> Environment:
        env = cls(name)
        env.python.conda_dependencies = read_conda_file(file_path)
        return env

    # ---- the registry ----------------------------------------------------------------
    def register(self, workspace: Workspace) -> Environment:
        if self.is_inherit:
            raise InvalidParameterError(
                "a user-managed environment (inherit) uses this interpreter; there is "
                "nothing to register"
            )
        return Environment._of(registry.register(workspace.store, self.name, self.spec()))

    @staticmethod
    def get(
        workspace: Workspace, name: str, version: int | str | None = None, label: Any = None
    ) -> Environment:
        return Environment._of(
            registry.get(workspace.store, name, int(version) if version is not None else None)
        )

    @staticmethod
    def list(workspace: Workspace) -> dict[str, Environment]:
        """Name → the latest version (as v1's ``Environment.list``)."""
        latest: dict[str, EnvironmentVersion] = {}
        for env in registry.list_versions(workspace.store):
            latest[env.name] = env
        return {name: Environment._of(env) for name, env in latest.items()}

    def build_local(self, workspace: Workspace, log: Log | None = None, **_: Any) -> Build:
        """Build this version into the local cache now (a registered one, or register)."""
        env = self if self.version is not None else self.register(workspace)
        assert env.version is not None
        record, build = ensure_build(workspace.store, env.name, env.version, log or _print)
        self._record = record
        return build

    # ---- what a registered version knows ---------------------------------------------
    @classmethod
    def _of(cls, record: EnvironmentVersion) -> Environment:
        env = cls(record.name)
        env.version = record.version
        env.python_version = record.spec.python
        env.pip_packages = list(record.spec.requirements)
        env.index_urls = list(record.spec.index_urls)
        env.environment_variables = dict(record.spec.env_vars)
        env._record = record
        return env

    @property
    def ref(self) -> str:
        return self.name if self.version is None else f"{self.name}:{self.version}"

    @property
    def lock(self) -> str | None:
        return self._record.lock if self._record else None

    @property
    def state(self) -> str | None:
        return self._record.state if self._record else None

    def __repr__(self) -> str:
        return f"Environment({self.ref!r}, state={self.state!r})"


def _print(text: str) -> None:
    print(text, end="", flush=True)


EnvironmentRef = Environment | EnvironmentVersion | str | Mapping[str, Any] | None


def resolve_environment(
    workspace: Workspace,
    environment: Environment | EnvironmentVersion | str | Mapping[str, Any] | None,
) -> EnvironmentVersion | None:
    """What a run config's ``environment=`` names, as a registered version (None: inherit).
    An unregistered ``Environment`` is registered (same spec: same version)."""
    if environment is None:
        return None
    if isinstance(environment, EnvironmentVersion):
        return environment
    if isinstance(environment, Environment):
        if environment.is_inherit:
            return None
        if environment.version is None:
            environment = environment.register(workspace)
        assert environment.version is not None
        return registry.get(workspace.store, environment.name, environment.version)
    if isinstance(environment, str):
        if environment == INHERIT:
            return None
        name, version = parse_ref(environment)
        return registry.get(workspace.store, name, version)
    raise InvalidParameterError(
        f"environment must be a name, 'name:version' or an Environment, "
        f"got {type(environment).__name__}"
    )
