"""Published pipelines (immutable versions) and pipeline endpoints (several published
pipelines under one name, one of them the default) — what the REST trigger starts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jupyter_mlws.entities import validate_name
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError

if TYPE_CHECKING:
    from jupyter_mlws.pipeline.run import PipelineRun
    from jupyter_mlws.tracking import Experiment, Workspace


@dataclass
class PublishedPipeline:
    workspace: Workspace
    id: str
    name: str
    version: int
    description: str | None
    definition: dict[str, Any]
    created_ms: int

    @classmethod
    def create(
        cls, ws: Workspace, name: str, definition: Mapping[str, Any], description: str | None
    ) -> PublishedPipeline:
        validate_name("published pipeline", name)
        return cls._of(ws, ws.store.add_published_pipeline(name, description, definition))

    @classmethod
    def get(cls, workspace: Workspace, id: str) -> PublishedPipeline:
        return cls._of(workspace, workspace.store.get_published_pipeline(id))

    @classmethod
    def list(cls, workspace: Workspace, name: str | None = None) -> list[PublishedPipeline]:
        return [cls._of(workspace, r) for r in workspace.store.list_published_pipelines(name)]

    @classmethod
    def _of(cls, ws: Workspace, row: Mapping[str, Any]) -> PublishedPipeline:
        return cls(
            ws,
            **{
                k: row[k]
                for k in ("id", "name", "version", "description", "definition", "created_ms")
            },
        )

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.definition.get("parameters") or {})

    def submit_to(
        self,
        experiment: Experiment,
        *,
        tags: Mapping[str, Any] | None = None,
        pipeline_parameters: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> PipelineRun:
        from jupyter_mlws.pipeline.start import PUBLISHED_PROPERTY, start_pipeline_run

        if options:
            raise InvalidParameterError(
                f"PublishedPipeline cannot be submitted with {', '.join(sorted(options))}"
            )
        return start_pipeline_run(
            experiment,
            self.definition,
            pipeline_parameters,
            tags=tags,
            properties={**(properties or {}), PUBLISHED_PROPERTY: self.id},
        )

    def submit(self, workspace: Workspace, experiment_name: str, **kwargs: Any) -> PipelineRun:
        return self.submit_to(workspace.experiment(experiment_name), **kwargs)

    def to_dict(self) -> dict[str, Any]:
        steps = self.definition.get("steps", [])
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "parameters": self.parameters,
            "steps": [s["name"] for s in steps],
            "created_ms": self.created_ms,
        }


@dataclass
class PipelineEndpoint:
    workspace: Workspace
    name: str
    description: str | None
    default_version: int
    versions: list[dict[str, Any]]
    created_ms: int

    @classmethod
    def publish(
        cls,
        workspace: Workspace,
        name: str,
        description: str | None = None,
        pipeline: PublishedPipeline | None = None,
    ) -> PipelineEndpoint:
        validate_name("pipeline endpoint", name)
        if not isinstance(pipeline, PublishedPipeline):
            raise InvalidParameterError(
                "PipelineEndpoint.publish needs pipeline=<PublishedPipeline>"
            )
        return cls._of(
            workspace, workspace.store.create_pipeline_endpoint(name, description, pipeline.id)
        )

    @classmethod
    def get(cls, workspace: Workspace, name: str | None = None, id: str | None = None) -> Any:
        return cls._of(workspace, workspace.store.get_pipeline_endpoint(name or id or ""))

    @classmethod
    def list(cls, workspace: Workspace) -> list[PipelineEndpoint]:
        return [cls._of(workspace, r) for r in workspace.store.list_pipeline_endpoints()]

    @classmethod
    def _of(cls, ws: Workspace, row: Mapping[str, Any]) -> PipelineEndpoint:
        return cls(
            ws,
            row["name"],
            row["description"],
            row["default_version"],
            row["versions"],
            row["created_ms"],
        )

    def add(self, pipeline: PublishedPipeline) -> int:
        """A new version (not the default); returns its number."""
        return self._add(pipeline, make_default=False)

    def add_default(self, pipeline: PublishedPipeline) -> int:
        """A new version that becomes the default; returns its number."""
        return self._add(pipeline, make_default=True)

    def _add(self, pipeline: PublishedPipeline, make_default: bool) -> int:
        row = self.workspace.store.add_pipeline_endpoint_version(
            self.name, pipeline.id, make_default
        )
        self._refresh(row)
        return int(row["versions"][-1]["version"])

    def set_default_version(self, version: int | str) -> None:
        self._refresh(self.workspace.store.set_pipeline_endpoint_default(self.name, int(version)))

    def _refresh(self, row: Mapping[str, Any]) -> None:
        self.default_version = row["default_version"]
        self.versions = row["versions"]

    def get_pipeline(self, version: int | str | None = None) -> PublishedPipeline:
        wanted = self.default_version if version is None else int(version)
        for entry in self.versions:
            if entry["version"] == wanted:
                return PublishedPipeline.get(self.workspace, entry["published_id"])
        raise ResourceNotFoundError(f"pipeline endpoint {self.name!r} has no version {wanted}")

    def submit(
        self,
        experiment_name: str,
        pipeline_parameters: Mapping[str, Any] | None = None,
        pipeline_version: int | str | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> PipelineRun:
        from jupyter_mlws.pipeline.definition import resolve_parameters

        published = self.get_pipeline(pipeline_version)
        resolve_parameters(published.definition, pipeline_parameters)  # before the experiment
        experiment = self.workspace.experiment(experiment_name)
        return published.submit_to(experiment, tags=tags, pipeline_parameters=pipeline_parameters)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "default_version": self.default_version,
            "versions": [dict(v) for v in self.versions],
            "created_ms": self.created_ms,
        }
