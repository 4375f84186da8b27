"""``azureml.pipeline.steps``: v1's ``PythonScriptStep`` on the native script step.

v1's argument order; the step's name defaults to the script's name as v1 does
(kept in our name alphabet); a ``RunConfiguration``'s environment is the v1
environment mapped onto a native one; ``run_after`` orders steps. ``params`` (v1's
``AML_PARAMETER_*`` environment variables) raise ``NotAvailableError``: pass them in
``arguments``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.azureml._notice import say_once
from jupyter_mlws.azureml._unavailable import placeholder
from jupyter_mlws.azureml.exceptions import NotAvailableError
from jupyter_mlws.azureml.pipeline.core import PipelineData, native_name
from jupyter_mlws.pipeline.steps import PythonScriptStep as NativePythonScriptStep

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Workspace

FEATURE = "this pipeline step kind (azureml.pipeline.steps)"
AFTER = "_after_"

__all__ = ["PythonScriptStep"]


class PythonScriptStep(NativePythonScriptStep):
    def __init__(
        self,
        script_name: str,
        name: str | None = None,
        arguments: Sequence[Any] | None = None,
        compute_target: Any = None,
        runconfig: Any = None,
        runconfig_pipeline_params: Any = None,
        inputs: Sequence[Any] | None = None,
        outputs: Sequence[Any] | None = None,
        params: Mapping[str, Any] | None = None,
        source_directory: str | Path | None = None,
        allow_reuse: bool = True,
        version: str | None = None,
        hash_paths: Sequence[str] | None = None,
    ) -> None:
        if runconfig_pipeline_params:
            raise NotAvailableError("PythonScriptStep(runconfig_pipeline_params=)")
        if params:
            raise NotAvailableError("PythonScriptStep(params=) (pass them in arguments=)")
        if hash_paths:
            say_once("hash_paths", "hash_paths: the whole source_directory is hashed for reuse")
        self._v1_environment = getattr(runconfig, "environment", None)
        target = getattr(runconfig, "target", None) if compute_target is None else compute_target
        super().__init__(
            script_name,
            name=native_name("step", name or script_name),
            arguments=arguments,
            compute_target=_target(target),
            inputs=[i for i in inputs or () if isinstance(i, PipelineData)],
            outputs=outputs,
            source_directory=source_directory,
            allow_reuse=allow_reuse,
        )
        others = [i for i in inputs or () if not isinstance(i, PipelineData)]
        if others:
            raise NotAvailableError(
                f"step {self.name!r}: inputs of type {type(others[0]).__name__} (use PipelineData)"
            )
        self._default_source = source_directory is None
        self._after: list[PythonScriptStep] = []
        for data in self.outputs:
            if isinstance(data, PipelineData):
                data.producer = self

    def run_after(self, step: PythonScriptStep) -> None:
        """Run after ``step``: it writes an empty folder this step reads."""
        marker = PipelineData(f"{AFTER}{step.name}")
        if marker.name not in {d.name for d in step.outputs}:
            step.outputs.append(marker)
        marker.producer = step
        if marker.name not in {d.name for d in self.inputs}:
            self.inputs.append(marker)
        self._after.append(step)

    def spec(self, workspace: Workspace) -> dict[str, Any]:
        from jupyter_mlws.azureml.core.environment import native_environment

        self.environment = native_environment(workspace, self._v1_environment)
        return super().spec(workspace)


def _target(target: Any) -> Any:
    if target is None or isinstance(target, str):
        return target
    name = getattr(target, "name", None)
    return name if isinstance(name, str) else target


HyperDriveStep = placeholder("HyperDriveStep", FEATURE, __name__)
ParallelRunStep = placeholder("ParallelRunStep", FEATURE, __name__)
ParallelRunConfig = placeholder("ParallelRunConfig", FEATURE, __name__)
CommandStep = placeholder("CommandStep", FEATURE, __name__)
DataTransferStep = placeholder("DataTransferStep", FEATURE, __name__)
EstimatorStep = placeholder("EstimatorStep", FEATURE, __name__)
ModuleStep = placeholder("ModuleStep", FEATURE, __name__)
AutoMLStep = placeholder("AutoMLStep", FEATURE, __name__)
