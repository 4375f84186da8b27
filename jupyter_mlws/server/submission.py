"""Submitting from the browser: notebooks and scripts under the server's root folder,
re-runs with the same settings, and a notebook's papermill parameters for the dialog.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_mlws.compute import NotebookRunConfig, ScriptRunConfig
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.notebooks import applied_parameters, inspect_parameters
from jupyter_mlws.tracking import Run
from jupyter_mlws.workspace import Workspace


@dataclass(frozen=True)
class Submission:
    path: str  # relative to the server's root folder
    experiment: str = "Default"
    compute: str = "local"
    parameters: Mapping[str, Any] = field(default_factory=dict)
    arguments: Sequence[str] = ()
    display_name: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def inside_root(root_dir: Path, path: str) -> Path:
    """A file under the server's root folder (the paths the file browser shows)."""
    candidate = Path(path)
    if not path or candidate.is_absolute() or "\x00" in path:
        raise InvalidParameterError(f"path {path!r} must be relative to the server's root folder")
    resolved = (root_dir / candidate).resolve()
    if not resolved.is_relative_to(root_dir):
        raise InvalidParameterError(f"path {path!r} is outside the server's root folder")
    if not resolved.is_file():
        raise ResourceNotFoundError(f"no such file: {path!r}")
    return resolved


def submit(ws: Workspace, root_dir: Path, sub: Submission) -> Run:
    file = inside_root(root_dir, sub.path)
    experiment = ws.experiment(sub.experiment)
    if file.suffix == ".ipynb":
        return experiment.submit(_notebook_config(file, sub))
    if file.suffix == ".py":
        config = ScriptRunConfig(
            source_dir=file.parent,
            script=file.name,
            arguments=list(sub.arguments),
            compute=sub.compute,
            params=dict(sub.parameters),
            tags=dict(sub.tags),
            display_name=sub.display_name,
        )
        return experiment.submit(config)
    raise InvalidParameterError(f"{sub.path!r}: only notebooks (.ipynb) and scripts (.py) run")


def _notebook_config(file: Path, sub: Submission) -> NotebookRunConfig:
    return NotebookRunConfig(
        file,
        parameters=dict(sub.parameters),
        params=applied_parameters(file, sub.parameters),  # the defaults it used, too
        compute=sub.compute,
        source_dir=file.parent,
        tags=dict(sub.tags) or None,
        display_name=sub.display_name,
    )


def notebook_parameters(root_dir: Path, path: str) -> list[dict[str, Any]]:
    """The notebook's ``parameters`` cell: name, inferred type, default and help."""
    file = inside_root(root_dir, path)
    if file.suffix != ".ipynb":
        raise InvalidParameterError(f"{path!r} is not a notebook (.ipynb)")
    return [p.to_dict() for p in inspect_parameters(file)]
