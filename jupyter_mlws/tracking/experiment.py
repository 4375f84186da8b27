"""Experiments: named groups of runs; submitting a config to one starts a run."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from jupyter_mlws.entities import Experiment as ExperimentInfo
from jupyter_mlws.entities import RunStatus

if TYPE_CHECKING:
    from jupyter_mlws.tracking.run import Run
    from jupyter_mlws.tracking.workspace import Workspace


class Submittable(Protocol):
    """A run configuration (script, notebook, …) that knows how to submit itself.

    Configurations live in the capability layers above tracking; dispatching on this
    protocol keeps ``Experiment.submit`` free of upward imports (Azure does the same).
    """

    def submit_to(
        self, experiment: Experiment, *, tags: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Run: ...


class Experiment:
    """A handle on a stored experiment: constructing one writes nothing.

    ``Workspace.experiment(name)`` is the one call that creates an experiment; here a
    name must be that of an active experiment, and a stored ``ExperimentInfo`` (also
    an archived one) is taken as it is.
    """

    def __init__(self, workspace: Workspace, experiment: str | ExperimentInfo) -> None:
        self.workspace = workspace
        self.info: ExperimentInfo = (
            experiment
            if isinstance(experiment, ExperimentInfo)
            else workspace.store.get_experiment(experiment)
        )

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def id(self) -> int:
        return self.info.id

    def submit(
        self, config: Submittable, tags: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Run:
        """Submit a ``ScriptRunConfig`` (or another run config); returns the run at once.

        ``tags`` are added to the config's own tags (they win on a clash), as in Azure.
        """
        return config.submit_to(self, tags=tags, **kwargs)

    def start_logging(
        self,
        name: str | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
        kind: str = "interactive",
        system_metrics: bool | float = False,
    ) -> Run:
        """An interactive run in this process (Azure's ``start_logging``).

        ``system_metrics=True`` records this process tree's CPU, memory and I/O (and
        GPUs') as ``system/…`` metrics while the run is active.
        """
        from jupyter_mlws.tracking.run import Run

        return Run.start(
            self, name=name, params=params, tags=tags, kind=kind, system_metrics=system_metrics
        )

    @contextmanager
    def start_run(self, name: str | None = None, **kwargs: Any) -> Iterator[Run]:
        """``with exp.start_run() as run:`` → Completed on exit, Failed on an exception."""
        run = self.start_logging(name, **kwargs)
        with run:
            yield run

    def get_runs(
        self,
        *,
        status: RunStatus | str | None = None,
        tags: Mapping[str, str] | None = None,
        include_children: bool = False,
        sort_by: str = "created",
        limit: int = 100,
    ) -> list[Run]:
        from jupyter_mlws.tracking.run import Run

        statuses = (
            [RunStatus.parse(status) if isinstance(status, str) else status] if status else None
        )
        from jupyter_mlws.tracking.run_listing import list_runs

        records, _ = list_runs(
            self.workspace,
            experiment_id=self.id,
            statuses=statuses,
            tags=tags,
            top_level_only=not include_children,
            sort_by=sort_by,
            limit=limit,
        )
        return [Run(self.workspace, r.id, record=r) for r in records]

    def archive(self) -> None:
        self.info = self.workspace.store.archive_experiment(self.id)

    def __repr__(self) -> str:
        return f"Experiment(name={self.name!r}, id={self.id})"
