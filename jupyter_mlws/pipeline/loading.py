"""Pipeline files: a Python file that defines ``pipeline``, or a YAML file of steps
(``pipeline.yaml_file`` has its schema): what ``mlws pipeline submit`` and ``publish`` take.

The file runs with ``ws`` (the workspace of the command) already defined, and relative
``source_directory`` (and notebook) paths are read from the file's own folder, so
``mlws pipeline submit project/pipeline.py`` works from anywhere::

    from jupyter_mlws.pipeline import Pipeline, PipelineData, PythonScriptStep
    prepared = PipelineData("prepared")
    prep = PythonScriptStep("prep.py", source_directory="src", outputs=[prepared],
                            arguments=["--out", prepared])
    pipeline = Pipeline(ws, steps=[prep])
"""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_mlws.exceptions import InvalidParameterError, MlwsError
from jupyter_mlws.pipeline.pipeline import Pipeline
from jupyter_mlws.pipeline.steps import BASE_FOLDER
from jupyter_mlws.pipeline.yaml_file import SUFFIXES, load_yaml_pipeline

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Workspace

VARIABLE = "pipeline"


def load_pipeline_file(ws: Workspace, path: str | Path) -> Pipeline:
    file = Path(path).expanduser().resolve()
    if not file.is_file():
        raise InvalidParameterError(f"pipeline file {str(path)!r} does not exist")
    if file.suffix not in (".py", *SUFFIXES):
        raise InvalidParameterError(
            f"pipeline file {str(path)!r} must be a Python file (.py) that defines {VARIABLE}, "
            "or a YAML file (.yaml) of steps"
        )
    token = BASE_FOLDER.set(file.parent)
    if file.suffix in SUFFIXES:
        try:
            return load_yaml_pipeline(ws, file)
        finally:
            BASE_FOLDER.reset(token)
    try:
        namespace = runpy.run_path(str(file), init_globals={"ws": ws}, run_name="__pipeline__")
    except MlwsError:
        raise
    except Exception as exc:
        raise InvalidParameterError(
            f"pipeline file {file.name}: {type(exc).__name__}: {exc}"
        ) from None
    finally:
        BASE_FOLDER.reset(token)
    found = namespace.get(VARIABLE)
    if not isinstance(found, Pipeline):
        raise InvalidParameterError(
            f"pipeline file {file.name} must define {VARIABLE} = Pipeline(ws, steps=[...])"
            + ("" if found is None else f", got {type(found).__name__}")
        )
    found.workspace = ws
    return found
