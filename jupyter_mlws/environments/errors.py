"""Errors of environments: what a build reports when it cannot make the environment."""

from __future__ import annotations

from jupyter_mlws.exceptions import MlwsError


class EnvironmentBuildError(MlwsError):
    """The resolver or installer refused the requirements; ``message`` is its own words."""

    error_code = "ENVIRONMENT_BUILD_FAILED"
    http_status = 409
