"""``Pipeline``: steps joined by their data; validated, submitted, published."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.pipeline import graph
from jupyter_mlws.pipeline.data import PipelineParameter
from jupyter_mlws.pipeline.steps import PipelineStep

if TYPE_CHECKING:
    from jupyter_mlws.pipeline.published import PublishedPipeline
    from jupyter_mlws.pipeline.run import PipelineRun
    from jupyter_mlws.tracking import Experiment, Workspace


class Pipeline:
    def __init__(
        self,
        workspace: Workspace,
        steps: Sequence[PipelineStep],
        description: str | None = None,
        **_v1_options: Any,  # default_datastore, default_source_directory, resolve_closure
    ) -> None:
        self.workspace = workspace
        self.steps = list(steps)
        self.description = description

    # ---- checks -------------------------------------------------------------------------
    def parameters(self) -> dict[str, PipelineParameter]:
        """Every parameter the steps use; one name, one default."""
        found: dict[str, PipelineParameter] = {}
        for step in self.steps:
            for param in step.parameters_used():
                known = found.setdefault(param.name, param)
                if known.default_value != param.default_value:
                    raise InvalidParameterError(
                        f"step {step.name!r}: parameter {param.name!r} is declared twice with "
                        f"different defaults ({known.default_value!r}, {param.default_value!r})"
                    )
        return found

    def validate(self) -> list[str]:
        """Refuse a pipeline that cannot run, naming the step and field; returns the
        step names in an order that respects their data (empty list: nothing refused)."""
        return self.step_order()

    def step_order(self) -> list[str]:
        """What ``validate`` checks and returns (the v1 layer's ``validate`` returns v1's
        list of problems instead)."""
        if not self.steps:
            raise InvalidParameterError("a pipeline needs at least one step (field steps)")
        for step in self.steps:
            if not isinstance(step, PipelineStep):
                raise InvalidParameterError(
                    f"steps takes PythonScriptStep or NotebookStep, got {type(step).__name__}"
                )
        graph.check_unique_names([s.name for s in self.steps])
        for step in self.steps:
            step.check_file()
        self.parameters()
        shapes = [
            {"name": s.name, "inputs": sorted(s.spec_inputs()), "outputs": s.spec_outputs()}
            for s in self.steps
        ]
        return graph.topological_order(shapes)

    # ---- what is stored ------------------------------------------------------------------
    def definition(self) -> dict[str, Any]:
        """The steps with a snapshot of each source folder, taken now."""
        from jupyter_mlws.pipeline.definition import build_definition

        order = self.step_order()
        return build_definition(
            self.workspace,
            [s.spec(self.workspace) for s in self.steps],
            {p.name: p.default_value for p in self.parameters().values()},
            order,
            self.description,
        )

    def submit_to(
        self,
        experiment: Experiment,
        *,
        tags: Mapping[str, Any] | None = None,
        pipeline_parameters: Mapping[str, Any] | None = None,
        regenerate_outputs: bool = False,
        display_name: str | None = None,
        **options: Any,
    ) -> PipelineRun:
        from jupyter_mlws.pipeline.start import start_pipeline_run

        if options:
            raise InvalidParameterError(
                f"Pipeline cannot be submitted with {', '.join(sorted(options))}"
            )
        self.check_parameters(pipeline_parameters)  # before the snapshots are taken
        return start_pipeline_run(
            experiment,
            self.definition(),
            pipeline_parameters,
            tags=tags,
            regenerate_outputs=regenerate_outputs,
            display_name=display_name,
        )

    def submit(self, experiment_name: str, **kwargs: Any) -> PipelineRun:
        self.check_parameters(kwargs.get("pipeline_parameters"))  # before making the experiment
        return self.submit_to(self.workspace.experiment(experiment_name), **kwargs)

    def check_parameters(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """The parameter values a submission would run with; an undeclared one is refused."""
        from jupyter_mlws.pipeline.definition import resolve_parameters

        defaults = {p.name: p.default_value for p in self.parameters().values()}
        return resolve_parameters({"parameters": defaults}, given)

    def publish(self, name: str, description: str | None = None, **_v1: Any) -> PublishedPipeline:
        """An immutable version of this pipeline (sources as they are now) under ``name``."""
        from jupyter_mlws.pipeline.published import PublishedPipeline

        return PublishedPipeline.create(self.workspace, name, self.definition(), description)
