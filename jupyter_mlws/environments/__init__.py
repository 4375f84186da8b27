"""Environments: versioned Python environments, built once per lock and cached.

``spec`` (what the user asks for), ``lock`` (what a first build resolved), ``cache`` and
``build`` (a virtualenv per lock hash, made by uv or pip), ``registry`` (versions in the
store), ``prepare`` (a run's Preparing), ``runtime`` (processes and kernels in a build).
Nothing here imports compute: compute, notebooks and serving call in.
"""

from jupyter_mlws.environments.conda import CondaDependencies
from jupyter_mlws.environments.environment import Environment, resolve_environment
from jupyter_mlws.environments.errors import EnvironmentBuildError
from jupyter_mlws.environments.registry import EnvironmentVersion
from jupyter_mlws.environments.spec import INHERIT, EnvironmentSpec

__all__ = [
    "INHERIT",
    "CondaDependencies",
    "Environment",
    "EnvironmentBuildError",
    "EnvironmentSpec",
    "EnvironmentVersion",
    "resolve_environment",
]
