"""Pipeline steps: a Python script or a notebook (run through papermill), in a source
folder, with inputs and outputs. A step is only a description until it is submitted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.exceptions import InvalidParameterError, MlwsError
from jupyter_mlws.pipeline.data import PipelineData, PipelineParameter, check_name, tokenize

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Workspace


# The folder relative source directories start from: the current directory, or the
# folder of the pipeline file being loaded (pipeline.loading sets it).
BASE_FOLDER: ContextVar[Path | None] = ContextVar("mlws_pipeline_base_folder", default=None)


def resolve_folder(folder: str | Path | None) -> Path:
    path = Path(folder or ".").expanduser()
    base = BASE_FOLDER.get()
    if base is not None and not path.is_absolute():
        path = base / path
    return path.resolve()


def _target_name(compute_target: Any) -> str:
    if compute_target is None:
        return "local"
    if isinstance(compute_target, str):
        return compute_target
    name = getattr(compute_target, "name", None)
    if not isinstance(name, str):
        raise InvalidParameterError(
            f"compute_target must be a target name or a target, got {type(compute_target).__name__}"
        )
    return name


def _data_list(field: str, name: str, items: Sequence[Any] | None) -> list[PipelineData]:
    out = []
    for item in items or ():
        if not isinstance(item, PipelineData):
            raise InvalidParameterError(
                f"step {name!r}: {field} takes PipelineData, got {type(item).__name__}"
            )
        out.append(item)
    return out


class PipelineStep:
    """What both step kinds share; ``kind`` and the file field differ."""

    kind = "step"
    file_field = "script_name"

    def __init__(
        self,
        file: str,
        *,
        name: str | None,
        source_directory: str | Path | None,
        inputs: Sequence[Any] | None,
        outputs: Sequence[Any] | None,
        compute_target: Any,
        environment: Any,
        allow_reuse: bool,
    ) -> None:
        if not isinstance(file, str | Path) or not str(file):
            raise InvalidParameterError(f"{type(self).__name__} needs {self.file_field}")
        self.file = Path(file).as_posix()
        self.name = check_name("step", name or Path(self.file).stem)
        # Resolved now; in a pipeline file (pipeline.loading) against the file's folder.
        self.source_directory = resolve_folder(source_directory)
        self.inputs = _data_list("inputs", self.name, inputs)
        self.outputs = _data_list("outputs", self.name, outputs)
        self.compute_target = _target_name(compute_target)
        self.environment = environment
        self.allow_reuse = bool(allow_reuse)

    # ---- what validation and the definition need -------------------------------------
    def tokens(self) -> list[Any]:
        """Every stored value that may refer to data or a parameter."""
        raise NotImplementedError

    def parameters_used(self) -> list[PipelineParameter]:
        raise NotImplementedError

    def data_used(self) -> list[PipelineData]:
        raise NotImplementedError

    def check_file(self) -> None:
        path = Path(self.file)
        if path.is_absolute() or ".." in path.parts:
            raise InvalidParameterError(
                f"step {self.name!r}: {self.file_field} {self.file!r} must be a path inside "
                f"source_directory {str(self.source_directory)!r}"
            )
        if not self.source_directory.is_dir():
            raise InvalidParameterError(
                f"step {self.name!r}: source_directory {str(self.source_directory)!r} "
                "is not a folder"
            )
        if not (self.source_directory / path).is_file():
            raise InvalidParameterError(
                f"step {self.name!r}: {self.file_field} {self.file!r} does not exist in "
                f"source_directory {str(self.source_directory)!r}"
            )

    def spec(self, workspace: Workspace) -> dict[str, Any]:
        """The stored description (everything but the source snapshot)."""
        from jupyter_mlws.compute.targets import get_target
        from jupyter_mlws.environments import resolve_environment

        try:
            get_target(workspace, self.compute_target)
            env = resolve_environment(workspace, self.environment)
        except MlwsError as exc:
            field = "environment" if "environment" in exc.message else "compute_target"
            raise InvalidParameterError(f"step {self.name!r} ({field}): {exc.message}") from None
        return {
            "name": self.name,
            "kind": self.kind,
            "file": self.file,
            "source_dir": str(self.source_directory),
            "inputs": sorted(self.spec_inputs()),
            "outputs": self.spec_outputs(),
            "compute": self.compute_target,
            "environment": None if env is None else {"name": env.name, "version": env.version},
            "environment_key": "inherit" if env is None else f"{env.ref}#{env.spec.hash}",
            "allow_reuse": self.allow_reuse,
        }

    def spec_inputs(self) -> set[str]:
        return {d.name for d in self.inputs} | self._implicit_inputs()

    def spec_outputs(self) -> list[str]:
        return [d.name for d in self.outputs]

    def _implicit_inputs(self) -> set[str]:
        """Data named in arguments but not written by this step is read by it."""
        outputs = {d.name for d in self.outputs}
        return {d.name for d in self.data_used() if d.name not in outputs}


def _collect(values: Sequence[Any], kind: type) -> list[Any]:
    return [v for v in values if isinstance(v, kind)]


class PythonScriptStep(PipelineStep):
    kind = "script"
    file_field = "script_name"

    def __init__(
        self,
        script_name: str,
        name: str | None = None,
        arguments: Sequence[Any] | None = None,
        compute_target: Any = None,
        runconfig: Any = None,
        inputs: Sequence[Any] | None = None,
        outputs: Sequence[Any] | None = None,
        source_directory: str | Path | None = None,
        allow_reuse: bool = True,
        environment: Any = None,
        **_v1_options: Any,  # runconfig_pipeline_params, hash_paths, version: not needed here
    ) -> None:
        if environment is None and runconfig is not None:
            environment = getattr(runconfig, "environment", None)
        super().__init__(
            script_name,
            name=name,
            source_directory=source_directory,
            inputs=inputs,
            outputs=outputs,
            compute_target=compute_target,
            environment=environment,
            allow_reuse=allow_reuse,
        )
        self.arguments = list(arguments or [])

    def tokens(self) -> list[Any]:
        return [tokenize(a) for a in self.arguments]

    def parameters_used(self) -> list[PipelineParameter]:
        return _collect(self.arguments, PipelineParameter)

    def data_used(self) -> list[PipelineData]:
        return _collect(self.arguments, PipelineData)

    def spec(self, workspace: Workspace) -> dict[str, Any]:
        return {**super().spec(workspace), "arguments": self.tokens(), "parameters": {}}


class NotebookStep(PipelineStep):
    """A notebook executed by the papermill engine with ``parameters`` injected."""

    kind = "notebook"
    file_field = "notebook"

    def __init__(
        self,
        notebook: str,
        name: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        compute_target: Any = None,
        inputs: Sequence[Any] | None = None,
        outputs: Sequence[Any] | None = None,
        source_directory: str | Path | None = None,
        allow_reuse: bool = True,
        environment: Any = None,
        kernel_name: str | None = None,
    ) -> None:
        path = Path(notebook)
        if source_directory is None:  # the notebook's own folder, as NotebookRunConfig does
            source_directory = resolve_folder(path.parent)
            notebook = path.name
        super().__init__(
            notebook,
            name=name,
            source_directory=source_directory,
            inputs=inputs,
            outputs=outputs,
            compute_target=compute_target,
            environment=environment,
            allow_reuse=allow_reuse,
        )
        self.parameters = dict(parameters or {})
        for key in self.parameters:
            if not isinstance(key, str) or not key.isidentifier():
                raise InvalidParameterError(
                    f"step {self.name!r}: notebook parameter name {key!r} is not an identifier"
                )
        self.kernel_name = kernel_name

    def tokens(self) -> list[Any]:
        return [tokenize(v) for v in self.parameters.values()]

    def parameters_used(self) -> list[PipelineParameter]:
        return _collect(list(self.parameters.values()), PipelineParameter)

    def data_used(self) -> list[PipelineData]:
        return _collect(list(self.parameters.values()), PipelineData)

    def check_file(self) -> None:
        super().check_file()
        if not self.file.endswith(".ipynb"):
            raise InvalidParameterError(
                f"step {self.name!r}: notebook {self.file!r} is not a .ipynb file"
            )

    def spec(self, workspace: Workspace) -> dict[str, Any]:
        from jupyter_mlws.compute.notebook_config import notebook_kernel_name

        kernel = self.kernel_name or notebook_kernel_name(self.source_directory / self.file)
        return {
            **super().spec(workspace),
            "arguments": [],
            "parameters": {k: tokenize(v) for k, v in self.parameters.items()},
            "kernel": kernel,
        }
