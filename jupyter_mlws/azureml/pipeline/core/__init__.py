"""``azureml.pipeline.core``: v1's pipeline names on the native pipelines.

A thin adapter: the native ``Pipeline``, ``PipelineData``, ``PipelineParameter``,
published pipelines and endpoints, with v1's signatures; the runs they start are v1
runs (``PipelineRun`` is both a v1 ``Run`` and the native pipeline run, its steps are
v1 runs). What v1 adds on top is mapped here: ``run_after`` orders steps through an
empty folder output, and a pipeline built from its last steps pulls in the steps they
depend on (v1's ``resolve_closure``).
"""

from __future__ import annotations

import builtins
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_mlws.azureml._notice import say_once
from jupyter_mlws.azureml._unavailable import placeholder
from jupyter_mlws.azureml.core.run import Run, matches, v1_workspace
from jupyter_mlws.azureml.exceptions import NotAvailableError, UserErrorException
from jupyter_mlws.exceptions import ResourceNotFoundError
from jupyter_mlws.pipeline import Pipeline as NativePipeline
from jupyter_mlws.pipeline import PipelineData as NativePipelineData
from jupyter_mlws.pipeline import PipelineParameter
from jupyter_mlws.pipeline import PipelineRun as NativePipelineRun
from jupyter_mlws.pipeline.published import PipelineEndpoint as NativePipelineEndpoint
from jupyter_mlws.pipeline.published import PublishedPipeline as NativePublishedPipeline
from jupyter_mlws.pipeline.run import StepRun as NativeStepRun
from jupyter_mlws.pipeline.steps import PipelineStep, resolve_folder
from jupyter_mlws.tracking import Experiment

REST_PREFIX = "/mlws/api/v1/pipeline-endpoints"
_INVALID = re.compile(r"[^A-Za-z0-9_\-]")

__all__ = [
    "Pipeline",
    "PipelineData",
    "PipelineEndpoint",
    "PipelineParameter",
    "PipelineRun",
    "PortDataReference",
    "PublishedPipeline",
    "Schedule",
    "ScheduleRecurrence",
    "StepRun",
    "StepSequence",
    "TimeZone",
]


def native_name(kind: str, name: str) -> str:
    """v1 names may hold dots and spaces (``train.py``); ours hold letters, digits, _ and -."""
    fixed = _INVALID.sub("_", str(name))
    if fixed and not (fixed[0].isalpha() or fixed[0] == "_"):
        fixed = "_" + fixed
    if fixed != name:
        say_once(
            f"name:{kind}:{name}",
            f"{kind} name {name!r} is kept as {fixed!r} (names here hold letters, digits, _ "
            "and -); find_step_run accepts either",
        )
    return fixed


class PipelineData(NativePipelineData):
    """``PipelineData(name, datastore=None, output_name=None, output_mode='mount', ...,
    is_directory=None)``: a folder in the run store, whichever datastore is named."""

    def __init__(
        self,
        name: str,
        datastore: Any = None,
        output_name: str | None = None,
        output_mode: str = "mount",
        output_path_on_compute: str | None = None,
        output_overwrite: bool | None = None,
        data_type: str | None = None,
        is_directory: bool | None = None,
        pipeline_output_name: str | None = None,
        training_output: Any = None,
    ) -> None:
        if datastore is not None:
            say_once("pipelinedata.datastore", "PipelineData(datastore=): kept in the run store")
        if output_path_on_compute is not None:
            raise NotAvailableError("PipelineData(output_path_on_compute=)")
        super().__init__(native_name("PipelineData", output_name or name), datastore)
        self.output_mode = output_mode
        self.is_directory = is_directory
        self.producer: PipelineStep | None = None  # set by the step that writes it

    def as_input(self, input_name: str | None = None) -> PipelineData:
        return self

    def as_mount(self) -> PipelineData:
        return self

    def as_download(self, input_name: str | None = None, **_: Any) -> PipelineData:
        return self


class StepSequence:
    """``StepSequence(steps=[a, b, c])``: each step runs after the one before it."""

    def __init__(self, steps: Sequence[Any] | None = None) -> None:
        self.steps = list(steps or [])
        for before, after in zip(self.steps, self.steps[1:], strict=False):
            after.run_after(before)


def _flatten(steps: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for step in steps:
        out.extend(_flatten(step.steps) if isinstance(step, StepSequence) else [step])
    return out


def _closure(steps: Sequence[Any]) -> list[Any]:
    """The steps and, transitively, those whose data they read or that they run after."""
    found: list[Any] = []
    frontier = list(steps)
    while frontier:
        step = frontier.pop(0)
        if any(step is s for s in found):
            continue
        found.append(step)
        data = [*getattr(step, "inputs", []), *getattr(step, "data_used", list)()]
        for item in data:
            producer = getattr(item, "producer", None)
            if producer is not None:
                frontier.append(producer)
        frontier.extend(getattr(step, "_after", []))
    return found


class Pipeline(NativePipeline):
    def __init__(
        self,
        workspace: Any,
        steps: Sequence[Any] | StepSequence,
        description: str | None = None,
        default_datastore: Any = None,
        default_source_directory: str | None = None,
        resolve_closure: bool = True,
        _workflow_provider: Any = None,
        _service_endpoint: Any = None,
        **kwargs: Any,
    ) -> None:
        listed = _flatten(steps.steps if isinstance(steps, StepSequence) else list(steps))
        if resolve_closure:
            listed = _closure(listed)
        if default_source_directory is not None:
            for step in listed:
                if getattr(step, "_default_source", False):
                    step.source_directory = resolve_folder(default_source_directory)
        super().__init__(workspace, listed, description)

    def validate(self) -> builtins.list[str]:
        """v1 returns the problems found; here a problem raises a typed error, so a
        pipeline that validates returns ``[]``."""
        super().validate()
        return []

    def submit_to(
        self,
        experiment: Experiment,
        *,
        tags: Mapping[str, Any] | None = None,
        pipeline_parameters: Mapping[str, Any] | None = None,
        continue_on_step_failure: bool = False,
        regenerate_outputs: bool = False,
        **options: Any,
    ) -> PipelineRun:
        if continue_on_step_failure:
            raise NotAvailableError("Pipeline submit(continue_on_step_failure=True)")
        native = super().submit_to(
            experiment,
            tags=tags,
            pipeline_parameters=pipeline_parameters,
            regenerate_outputs=regenerate_outputs,
            **options,
        )
        return PipelineRun(native.workspace, native.id)

    def submit(
        self,
        experiment_name: str,
        pipeline_parameters: Mapping[str, Any] | None = None,
        continue_on_step_failure: bool = False,
        regenerate_outputs: bool = False,
        **kwargs: Any,
    ) -> PipelineRun:
        from jupyter_mlws.azureml.core.experiment import Experiment as V1Experiment

        self.check_parameters(pipeline_parameters)
        run = V1Experiment(v1_workspace(self.workspace), experiment_name).submit(
            self,
            pipeline_parameters=pipeline_parameters,
            continue_on_step_failure=continue_on_step_failure,
            regenerate_outputs=regenerate_outputs,
            **kwargs,
        )
        assert isinstance(run, PipelineRun)
        return run

    def publish(
        self,
        name: str | None = None,
        description: str | None = None,
        version: str | None = None,
        continue_on_step_failure: bool | None = None,
        **_: Any,
    ) -> PublishedPipeline:
        if continue_on_step_failure:
            raise NotAvailableError("Pipeline publish(continue_on_step_failure=True)")
        if name is None:
            raise UserErrorException("Pipeline.publish needs name=")
        if version is not None:
            say_once("publish.version", "publish(version=): versions are numbered 1, 2, … per name")
        native = super().publish(native_name("published pipeline", name), description)
        return PublishedPipeline._v1(native)


class PortDataReference:
    """A step's output folder: ``download(local_path)`` writes its files."""

    def __init__(self, run: Run, name: str) -> None:
        from jupyter_mlws.pipeline.step_submit import output_prefix

        self._run, self.name = run, name
        self.path_on_datastore = output_prefix(name).rstrip("/")
        self.datastore_name = "run store"

    def get_port_data_reference(self) -> PortDataReference:
        return self

    def download(
        self, local_path: str | os.PathLike[str], overwrite: bool | None = None, **_: Any
    ) -> str:
        """The folder's files under ``local_path/<path_on_datastore>``, as v1 lays them out."""
        from jupyter_mlws.pipeline.step_submit import output_files

        base = Path(local_path)
        for entry in output_files(self._run.workspace, self._run.id, self.name):
            self._run.download_file(
                f"{self.path_on_datastore}/{entry.path}",
                base / self.path_on_datastore / entry.path,
            )
        return str(base / self.path_on_datastore)


class StepRun(Run):
    """One step of a v1 pipeline run: the run that did its work (for a reused step, the
    earlier run), named as the step, with v1's step calls."""

    _step: NativeStepRun

    @classmethod
    def _of(cls, step: NativeStepRun) -> StepRun:
        assert step.run is not None
        run = cls(step.run.workspace, step.run.id)
        run._step = step
        return run

    @property
    def name(self) -> str:
        return self._step.name

    @property
    def reused(self) -> bool:
        return self._step.reused

    @property
    def reason(self) -> str | None:
        return self._step.reason

    def get_status(self) -> str:
        return self._step.status

    def get_job_log(self) -> str:
        return self.get_logs()

    def get_stdout_log(self) -> str:
        return self.get_logs()

    def get_stderr_log(self) -> str:
        return self.get_logs()

    def get_outputs(self) -> dict[str, PortDataReference]:
        return {name: PortDataReference(self, name) for name in self._step.outputs}

    def get_output(self, name: str) -> PortDataReference:
        return self.get_output_data(name)

    def get_output_data(self, name: str) -> PortDataReference:
        key = native_name("PipelineData", name)
        if key not in self._step.outputs:
            raise ResourceNotFoundError(f"step {self.name!r} has no output {name!r}")
        return PortDataReference(self, key)


class PipelineRun(Run, NativePipelineRun):
    """A pipeline run that is also a v1 run; its steps come back as v1 ``StepRun``s."""

    def get_steps(self) -> Iterator[StepRun]:  # type: ignore[override]
        """The steps that ran or were reused, in the pipeline's order."""
        for step in NativePipelineRun.get_steps(self):
            if step.run is not None:
                yield StepRun._of(step)

    def find_step_run(self, name: str) -> builtins.list[StepRun]:  # type: ignore[override]
        """v1 returns a list (names need not be unique there; they are here)."""
        wanted = {name, _INVALID.sub("_", name)}
        return [s for s in self.get_steps() if s.name in wanted]

    def get_children(  # type: ignore[override]
        self,
        recursive: bool = False,
        tags: str | Mapping[str, Any] | None = None,
        properties: str | Mapping[str, Any] | None = None,
        type: str | None = None,
        status: str | None = None,
        **_: Any,
    ) -> builtins.list[Run]:
        """v1 lists a pipeline run's steps, reused ones too, as its children."""
        found: builtins.list[Run] = []
        for step in self.get_steps():
            found.append(step)
            if recursive:
                found.extend(step.get_children(recursive=True))
        return [
            r
            for r in found
            if matches(r.record.tags, tags)
            and matches(r.record.properties, properties)
            and (type is None or r.type == type)
            and (status is None or r.get_status() == status)
        ]

    def wait_for_completion(  # type: ignore[override]
        self,
        show_output: bool = True,
        timeout_seconds: float | None = None,
        raise_on_error: bool = True,
        **kwargs: Any,
    ) -> dict[str, Any]:
        from jupyter_mlws.azureml.exceptions import ActivityFailedException
        from jupyter_mlws.exceptions import RunFailedError

        try:
            NativePipelineRun.wait_for_completion(
                self,
                show_output=show_output,
                timeout=timeout_seconds,
                raise_on_error=raise_on_error,
            )
        except RunFailedError as exc:
            raise ActivityFailedException(exc.run_id, exc.status, exc.error) from None
        return self.get_details()

    def publish_pipeline(
        self, name: str, description: str | None = None, version: str | None = None, **_: Any
    ) -> PublishedPipeline:
        native = NativePublishedPipeline.create(
            self.workspace,
            native_name("published pipeline", name),
            self.record.definition["pipeline"],
            description,
        )
        return PublishedPipeline._v1(native)


class PublishedPipeline(NativePublishedPipeline):
    @classmethod
    def _v1(cls, native: NativePublishedPipeline) -> PublishedPipeline:
        return cls(**{f: getattr(native, f) for f in native.__dataclass_fields__})

    @classmethod
    def get(cls, workspace: Any, id: str, **_: Any) -> PublishedPipeline:
        return cls._v1(NativePublishedPipeline.get(workspace, id))

    @classmethod
    def list(  # type: ignore[override]
        cls, workspace: Any, active_only: bool = True, **_: Any
    ) -> builtins.list[PublishedPipeline]:
        return [cls._v1(p) for p in NativePublishedPipeline.list(workspace)]

    @property
    def status(self) -> str:
        return "Active"

    @property
    def endpoint(self) -> str:
        """The REST path (under the Jupyter server) of an endpoint holding this pipeline;
        a published pipeline has none of its own here."""
        for endpoint in NativePipelineEndpoint.list(self.workspace):
            for entry in endpoint.versions:
                if entry["published_id"] == self.id:
                    return f"{REST_PREFIX}/{endpoint.name}/runs"
        raise NotAvailableError(
            "PublishedPipeline.endpoint (no REST route per published pipeline: put it behind "
            "PipelineEndpoint.publish(ws, name, description, pipeline) and POST to its .endpoint)"
        )

    def submit_to(self, experiment: Experiment, **kwargs: Any) -> PipelineRun:
        kwargs.pop("continue_on_step_failure", None)
        native = super().submit_to(experiment, **kwargs)
        return PipelineRun(native.workspace, native.id)

    def submit(  # type: ignore[override]
        self,
        workspace: Any,
        experiment_name: str,
        pipeline_parameters: Mapping[str, Any] | None = None,
        _workflow_provider: Any = None,
        _service_endpoint: Any = None,
        parent_run_id: str | None = None,
        continue_on_step_failure: bool | None = None,
    ) -> PipelineRun:
        from jupyter_mlws.azureml.core.experiment import Experiment as V1Experiment
        from jupyter_mlws.pipeline.definition import resolve_parameters

        resolve_parameters(self.definition, pipeline_parameters)  # before the experiment
        exp = V1Experiment(workspace, experiment_name)
        return self.submit_to(exp, pipeline_parameters=pipeline_parameters)

    def enable(self) -> None:
        say_once("published.enable", "PublishedPipeline.enable(): published pipelines stay active")

    def disable(self) -> None:
        raise NotAvailableError("PublishedPipeline.disable()")


@dataclass
class PipelineVersion:
    """An entry of ``list_versions()``: v1's ``version`` (a string from "0") and ``pipeline``."""

    version: str
    pipeline: PublishedPipeline


def _native_version(version: int | str | None) -> int | None:
    """v1 numbers an endpoint's versions from "0"; ours count from 1."""
    return None if version is None else int(version) + 1


class PipelineEndpoint(NativePipelineEndpoint):
    """v1's versions are numbered from "0" (ours from 1): every version here is v1's."""

    @classmethod
    def _v1(cls, native: NativePipelineEndpoint) -> PipelineEndpoint:
        return cls(**{f: getattr(native, f) for f in native.__dataclass_fields__})

    @classmethod
    def publish(  # type: ignore[override]
        cls,
        workspace: Any,
        name: str,
        description: str | None,
        pipeline: Any,
        _workflow_provider: Any = None,
        _service_endpoint: Any = None,
        **_: Any,
    ) -> PipelineEndpoint:
        if isinstance(pipeline, NativePipeline):  # v1 publishes a pipeline given unpublished
            pipeline = pipeline.publish(native_name("published pipeline", name), description)
        return cls._v1(NativePipelineEndpoint.publish(workspace, name, description, pipeline))

    @classmethod
    def get(  # type: ignore[override]
        cls, workspace: Any, id: str | None = None, name: str | None = None, **_: Any
    ) -> PipelineEndpoint:
        if not (id or name):
            raise UserErrorException("PipelineEndpoint.get needs id= or name=")
        return cls._v1(NativePipelineEndpoint.get(workspace, name or id))

    @classmethod
    def list(  # type: ignore[override]
        cls, workspace: Any, active_only: bool = True, **_: Any
    ) -> builtins.list[PipelineEndpoint]:
        return [cls._v1(e) for e in NativePipelineEndpoint.list(workspace)]

    @property
    def id(self) -> str:
        return self.name

    @property
    def endpoint(self) -> str:
        """The REST path under the Jupyter server (token auth; body: experiment, parameters,
        optional version)."""
        return f"{REST_PREFIX}/{self.name}/runs"

    @property
    def status(self) -> str:
        return "Active"

    def get_default_version(self) -> str:
        return str(self.default_version - 1)

    def set_default_version(self, version: int | str) -> None:
        super().set_default_version(int(version) + 1)

    def set_default(self, pipeline: NativePublishedPipeline) -> None:
        for entry in self.versions:
            if entry["published_id"] == pipeline.id:
                super().set_default_version(entry["version"])
                return
        raise ResourceNotFoundError(f"pipeline endpoint {self.name!r} does not hold {pipeline.id}")

    def add(self, pipeline: NativePublishedPipeline) -> int:
        return super().add(pipeline) - 1

    def add_default(self, pipeline: NativePublishedPipeline) -> int:
        return super().add_default(pipeline) - 1

    def list_versions(self) -> builtins.list[PipelineVersion]:
        return [
            PipelineVersion(
                str(v["version"] - 1), PublishedPipeline.get(self.workspace, v["published_id"])
            )
            for v in self.versions
        ]

    def list_pipelines(self, active_only: bool = True) -> builtins.list[PublishedPipeline]:
        return [v.pipeline for v in self.list_versions()]

    def get_pipeline(self, version: int | str | None = None) -> PublishedPipeline:
        return PublishedPipeline._v1(super().get_pipeline(_native_version(version)))

    def submit_to(
        self,
        experiment: Experiment,
        *,
        tags: Mapping[str, Any] | None = None,
        pipeline_parameters: Mapping[str, Any] | None = None,
        pipeline_version: int | str | None = None,
        **_: Any,
    ) -> PipelineRun:
        """``exp.submit(endpoint, pipeline_parameters=, pipeline_version=, tags=)``."""
        published = self.get_pipeline(pipeline_version)
        return published.submit_to(experiment, tags=tags, pipeline_parameters=pipeline_parameters)

    def set_name(self, name: str) -> None:
        raise NotAvailableError("PipelineEndpoint.set_name() (publish a new endpoint instead)")

    def submit(  # type: ignore[override]
        self,
        experiment_name: str,
        pipeline_parameters: Mapping[str, Any] | None = None,
        parent_run_id: str | None = None,
        pipeline_version: int | str | None = None,
        **_: Any,
    ) -> PipelineRun:
        native = super().submit(
            experiment_name, pipeline_parameters, pipeline_version=_native_version(pipeline_version)
        )
        return PipelineRun(native.workspace, native.id)


PipelineDraft = placeholder("PipelineDraft", "pipeline drafts (azureml.pipeline.core)", __name__)

# Last: the schedules return this module's PipelineRun.
from jupyter_mlws.azureml.pipeline.core.schedule import (  # noqa: E402
    Schedule,
    ScheduleRecurrence,
    TimeZone,
)
