"""YAML pipeline files: the same ``Pipeline`` objects as a Python pipeline file, written
as data (``mlws pipeline submit pipeline.yaml``)::

    description: prepare then train       # optional
    parameters:                            # pipeline parameters and their defaults
      lr: 0.1
    steps:
      - name: prepare
        script: prep.py                    # or notebook: train.ipynb
        source_directory: src              # relative to this file's folder
        arguments: [--out, "${{outputs.prepared}}", "--rows", 100]
        outputs: [prepared]                # folders this step writes
        compute_target: local              # default local
        allow_reuse: true                  # default true
      - name: train
        notebook: train.ipynb
        source_directory: src
        inputs: [prepared]                 # folders of earlier steps it reads
        parameters:                        # notebook parameters (papermill)
          lr: "${{parameters.lr}}"
          data: "${{inputs.prepared}}"

A value that is exactly ``${{parameters.NAME}}`` is that pipeline parameter; exactly
``${{inputs.NAME}}`` or ``${{outputs.NAME}}`` is that folder's path. Other fields:
``environment`` (a registered environment), ``kernel_name`` (notebook steps). A mistake
is refused with ``PipelineYamlError``, naming the step and the field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.exceptions import InvalidParameterError, require
from jupyter_mlws.pipeline.data import PipelineData, PipelineParameter
from jupyter_mlws.pipeline.pipeline import Pipeline
from jupyter_mlws.pipeline.steps import NotebookStep, PipelineStep, PythonScriptStep

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Workspace

SUFFIXES = (".yaml", ".yml")
TOP_FIELDS = {"description", "parameters", "steps"}
STEP_FIELDS = {
    "name",
    "script",
    "notebook",
    "source_directory",
    "arguments",
    "inputs",
    "outputs",
    "parameters",
    "compute_target",
    "allow_reuse",
    "environment",
    "kernel_name",
}
_REF = re.compile(r"^\$\{\{\s*(parameters|inputs|outputs)\.([A-Za-z0-9_\-]+)\s*\}\}$")


class PipelineYamlError(InvalidParameterError):
    """A YAML pipeline file that cannot be loaded; ``step`` and ``field`` say where."""

    def __init__(self, file: str, message: str, step: str | None = None, field: str | None = None):
        where = ", ".join(
            p for p in (f"step {step!r}" if step else "", f"field {field}" if field else "") if p
        )
        super().__init__(f"pipeline file {file}: {where + ': ' if where else ''}{message}")
        self.file = file
        self.step = step
        self.field = field


class _Loader:
    def __init__(self, file: Path) -> None:
        self.file = file
        self.parameters: dict[str, PipelineParameter] = {}
        self.data: dict[str, PipelineData] = {}

    def error(self, message: str, step: str | None = None, field: str | None = None) -> None:
        raise PipelineYamlError(self.file.name, message, step, field)

    def read(self) -> dict[str, Any]:
        require("yaml", "pipelines")
        import yaml

        try:
            doc = yaml.safe_load(self.file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" at line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise PipelineYamlError(self.file.name, f"not valid YAML{line}: {problem}") from None
        if not isinstance(doc, dict):
            self.error("must be a mapping with steps: [...]")
        unknown = sorted(set(doc) - TOP_FIELDS)
        if unknown:
            self.error(f"unknown field(s) {', '.join(map(str, unknown))} (known: description, "
                       "parameters, steps)")  # fmt: skip
        return doc

    def pipeline(self, ws: Workspace) -> Pipeline:
        doc = self.read()
        params = doc.get("parameters") or {}
        if not isinstance(params, dict):
            self.error("must map parameter names to default values", field="parameters")
        for name, default in params.items():
            try:
                self.parameters[str(name)] = PipelineParameter(str(name), default)
            except InvalidParameterError as exc:
                self.error(exc.message, field=f"parameters.{name}")
        steps = doc.get("steps")
        if not isinstance(steps, list) or not steps:
            raise PipelineYamlError(self.file.name, "must be a non-empty list", field="steps")
        built = [self.step(i, raw) for i, raw in enumerate(steps)]
        description = doc.get("description")
        if description is not None and not isinstance(description, str):
            self.error("must be text", field="description")
        return Pipeline(ws, built, description=description)

    def step(self, index: int, raw: Any) -> PipelineStep:
        if not isinstance(raw, dict):
            self.error(f"step {index + 1} must be a mapping", field="steps")
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            self.error(f"step {index + 1} needs a name", field="name")
        unknown = sorted(set(raw) - STEP_FIELDS)
        if unknown:
            self.error(f"unknown field {unknown[0]!r} (known: {', '.join(sorted(STEP_FIELDS))})",
                       name)  # fmt: skip
        has_script, has_notebook = "script" in raw, "notebook" in raw
        if has_script == has_notebook:
            self.error("needs exactly one of script or notebook", name, "script")
        file_field = "script" if has_script else "notebook"
        options: dict[str, Any] = {
            "name": name,
            "source_directory": self.text(raw, "source_directory", name),
            "inputs": self.folders(raw, "inputs", name),
            "outputs": self.folders(raw, "outputs", name),
            "compute_target": self.text(raw, "compute_target", name),
            "allow_reuse": self.flag(raw, "allow_reuse", name),
            "environment": self.text(raw, "environment", name),
        }
        file = self.text(raw, file_field, name)
        try:
            if has_script:
                if "parameters" in raw or "kernel_name" in raw:
                    field = "parameters" if "parameters" in raw else "kernel_name"
                    self.error("is for notebook steps (give a script values in arguments)",
                               name, field)  # fmt: skip
                arguments = raw.get("arguments") or []
                if not isinstance(arguments, list):
                    self.error("must be a list", name, "arguments")
                args = [self.value(a, name, "arguments") for a in arguments]
                return PythonScriptStep(str(file), arguments=args, **options)
            if "arguments" in raw:
                self.error("is for script steps (give a notebook parameters)", name, "arguments")
            values = raw.get("parameters") or {}
            if not isinstance(values, dict):
                self.error("must map notebook parameter names to values", name, "parameters")
            given = {str(k): self.value(v, name, f"parameters.{k}") for k, v in values.items()}
            kernel = self.text(raw, "kernel_name", name)
            return NotebookStep(str(file), parameters=given, kernel_name=kernel, **options)
        except PipelineYamlError:
            raise
        except InvalidParameterError as exc:
            raise PipelineYamlError(self.file.name, exc.message, name) from None

    # ---- fields -----------------------------------------------------------------------------
    def text(self, raw: dict[str, Any], field: str, step: str) -> str | None:
        value = raw.get(field)
        if value is not None and not isinstance(value, str):
            self.error(f"must be text, got {type(value).__name__}", step, field)
        return value

    def flag(self, raw: dict[str, Any], field: str, step: str) -> bool:
        value = raw.get(field, True)
        if not isinstance(value, bool):
            self.error(f"must be true or false, got {value!r}", step, field)
        return value

    def folders(self, raw: dict[str, Any], field: str, step: str) -> list[PipelineData]:
        names = raw.get(field) or []
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            self.error("must be a list of folder names", step, field)
        return [self.folder(n, step, field) for n in names]

    def folder(self, name: str, step: str, field: str) -> PipelineData:
        if name not in self.data:
            try:
                self.data[name] = PipelineData(name)
            except InvalidParameterError as exc:
                self.error(exc.message, step, field)
        return self.data[name]

    def value(self, value: Any, step: str, field: str) -> Any:
        if isinstance(value, str) and "${{" in value:
            match = _REF.match(value.strip())
            if match is None:
                self.error(f"{value!r} must be exactly ${{{{parameters.NAME}}}}, "
                           "${{inputs.NAME}} or ${{outputs.NAME}}", step, field)  # fmt: skip
            assert match is not None
            kind, name = match.groups()
            if kind == "parameters":
                if name not in self.parameters:
                    declared = ", ".join(sorted(self.parameters)) or "none"
                    self.error(f"parameter {name!r} is not declared under parameters "
                               f"(declared: {declared})", step, field)  # fmt: skip
                return self.parameters[name]
            return self.folder(name, step, field)
        if isinstance(value, dict | list):
            self.error("must be a text, number or boolean value", step, field)
        return value


def load_yaml_pipeline(ws: Workspace, file: Path) -> Pipeline:
    """The pipeline a YAML file describes; relative paths are read from its folder."""
    pipeline = _Loader(file).pipeline(ws)
    try:
        pipeline.validate()  # a missing script or a cycle, still naming the step
    except PipelineYamlError:
        raise
    except InvalidParameterError as exc:
        raise PipelineYamlError(file.name, exc.message) from None
    return pipeline
