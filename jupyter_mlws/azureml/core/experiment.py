"""``azureml.core.Experiment``: the native experiment, with v1's listing and submit."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from jupyter_mlws.entities import Experiment as ExperimentInfo
from jupyter_mlws.services import experiments
from jupyter_mlws.tracking.experiment import Experiment as NativeExperiment
from jupyter_mlws.tracking.workspace import Workspace as TrackingWorkspace

if TYPE_CHECKING:
    from jupyter_mlws.azureml.core.run import Run
    from jupyter_mlws.azureml.core.workspace import Workspace

ACTIVE_ONLY = "ActiveOnly"


class ViewType:
    ActiveOnly = "ActiveOnly"
    ArchivedOnly = "ArchivedOnly"
    All = "All"


class Experiment(NativeExperiment):
    workspace: Workspace

    def __init__(self, workspace: Workspace, name: str | ExperimentInfo, **kwargs: Any) -> None:
        """Gets or creates it, as v1 does."""
        info = (
            name
            if isinstance(name, ExperimentInfo)
            else TrackingWorkspace.experiment(workspace, name).info
        )
        super().__init__(workspace, info)

    @staticmethod
    def list(
        workspace: Workspace,
        experiment_name: str | None = None,
        view_type: str = ACTIVE_ONLY,
        tags: Any = None,
    ) -> list[Experiment]:
        infos = experiments.list_experiments(workspace, include_archived=view_type != ACTIVE_ONLY)
        if view_type == ViewType.ArchivedOnly:
            infos = [i for i in infos if getattr(i, "archived", False)]
        return [
            Experiment(workspace, i)
            for i in infos
            if experiment_name is None or i.name == experiment_name
        ]

    def submit(self, config: Any, tags: Mapping[str, Any] | None = None, **kwargs: Any) -> Run:
        """``exp.submit(ScriptRunConfig(...), tags={...})``; ``show_output=True`` streams."""
        from jupyter_mlws.azureml.core.run import Run

        show_output = bool(kwargs.pop("show_output", False))
        if tags:
            kwargs["tags"] = tags
        run = Run._wrap(config.submit_to(self, **kwargs))
        if show_output:
            run.wait_for_completion(show_output=True)
        return run

    def start_logging(self, *args: Any, **kwargs: Any) -> Run:
        """``exp.start_logging(outputs=None, snapshot_directory='.', display_name=…)``."""
        from jupyter_mlws.azureml.core.run import Run

        for ignored in ("outputs", "snapshot_directory"):
            kwargs.pop(ignored, None)
        name = kwargs.pop("display_name", None) or (args[0] if args else None)
        return Run._wrap(super().start_logging(name if isinstance(name, str) else None, **kwargs))

    def get_runs(  # type: ignore[override]
        self,
        type: str | None = None,
        tags: str | Mapping[str, Any] | None = None,
        properties: str | Mapping[str, Any] | None = None,
        include_children: bool = False,
    ) -> Iterator[Run]:
        """Newest first. ``tags``/``properties``: a key that must be set, or key→value."""
        from jupyter_mlws.azureml.core.run import Run, matches, v1_type

        for native in super().get_runs(include_children=include_children, limit=10_000):
            record = native.record
            if type is not None and v1_type(record.kind) != type:
                continue
            if matches(record.tags, tags) and matches(record.properties, properties):
                yield Run._wrap(native)

    @property
    def archived(self) -> bool:
        return bool(getattr(self.info, "archived", False))

    def reactivate(self, new_name: str | None = None) -> None:
        from jupyter_mlws.azureml._notice import say_once

        say_once("reactivate", "Experiment.reactivate(): not available yet in jupyter-mlws")

    def __repr__(self) -> str:
        return f"Experiment(Name: {self.name}, Workspace: {self.workspace.name})"
