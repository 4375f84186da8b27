"""What flows through a pipeline: named folder outputs and run-time parameters.

Both may appear in a step's ``arguments`` (or a notebook's ``parameters``); they are kept
as tokens in the stored definition and resolved by the controller when the step starts.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from jupyter_mlws.exceptions import InvalidParameterError

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]{0,127}$")

# Where a step finds its folders, relative to its working folder.
OUTPUTS_DIR = "outputs/pipeline_data"
INPUTS_DIR = "inputs"
# An empty file that makes each output folder exist before the step starts.
OUTPUT_MARKER = ".mlws-output"


def check_name(kind: str, name: object) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidParameterError(
            f"{kind} name {name!r} must start with a letter or _ and hold only letters, "
            "digits, _ and - (at most 128)"
        )
    return name


class PipelineData:
    """A folder one step writes and later steps read (Azure's ``PipelineData``).

    The producing step gets ``outputs/pipeline_data/NAME`` (created, empty); a consuming
    step gets the files materialized in ``inputs/NAME`` of its own working folder.
    """

    def __init__(self, name: str, datastore: Any = None, output_name: str | None = None) -> None:
        self.name = check_name("PipelineData", output_name or name)
        self.datastore = datastore  # accepted for v1 scripts; the data lives in the run store

    def token(self) -> dict[str, str]:
        return {"$data": self.name}

    def __repr__(self) -> str:
        return f"PipelineData({self.name!r})"


class PipelineParameter:
    """A value chosen when the pipeline is submitted (``pipeline_parameters={...}``)."""

    def __init__(self, name: str, default_value: Any) -> None:
        self.name = check_name("PipelineParameter", name)
        self.default_value = check_value(name, default_value)

    def token(self) -> dict[str, str]:
        return {"$param": self.name}

    def __repr__(self) -> str:
        return f"PipelineParameter({self.name!r}, default_value={self.default_value!r})"


def check_value(name: str, value: Any) -> Any:
    """Parameter values are JSON data (they are stored, compared and shown)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidParameterError(f"pipeline parameter {name!r} must be finite")
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"pipeline parameter {name!r} must be a str, number, bool, None, list or dict, "
            f"got {type(value).__name__}"
        ) from None


def tokenize(value: Any) -> Any:
    """A step argument as stored: PipelineData/PipelineParameter become tokens."""
    if isinstance(value, PipelineData | PipelineParameter):
        return value.token()
    if hasattr(value, "token") and callable(value.token):  # v1 wrappers
        return value.token()
    return value


def resolve(token: Any, parameters: dict[str, Any], paths: dict[str, str]) -> Any:
    """A stored argument at run time: a parameter's value or a data folder's path."""
    if isinstance(token, dict) and len(token) == 1:
        if "$param" in token:
            return parameters[token["$param"]]
        if "$data" in token:
            return paths[token["$data"]]
    return token


def token_refs(token: Any) -> tuple[str | None, str | None]:
    """(data name, parameter name) that a token refers to, if any."""
    if isinstance(token, dict) and len(token) == 1:
        return token.get("$data"), token.get("$param")
    return None, None
