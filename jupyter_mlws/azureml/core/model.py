"""``azureml.core.Model``: a registered model version under v1's names.

``Model.get_model_path(name)`` inside ``score.py`` finds the files where the endpoint
put them (``AZUREML_MODEL_DIR``); anywhere else it downloads them from the workspace
into ``./azureml-models/<name>/<version>/`` as v1 did.
"""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.azureml.exceptions import ModelNotFoundException, UserErrorException
from jupyter_mlws.entities import ModelVersion
from jupyter_mlws.exceptions import ResourceNotFoundError

if TYPE_CHECKING:
    from jupyter_mlws.azureml.core.webservice import Webservice
    from jupyter_mlws.azureml.core.workspace import Workspace

MODEL_DIR_ENV = "AZUREML_MODEL_DIR"
LOCAL_CACHE = "azureml-models"


class Model:
    """``Model(ws, name, version=None)`` (latest when no version), or ``Model(ws, id=…)``."""

    def __init__(
        self,
        workspace: Workspace,
        name: str | None = None,
        id: str | None = None,
        tags: Any = None,
        properties: Any = None,
        version: int | None = None,
        run_id: str | None = None,
        model_framework: str | None = None,
        expand: bool = True,
        **kwargs: Any,
    ) -> None:
        self.workspace = workspace
        if id is not None:
            name, _, ver = id.partition(":")
            version = int(ver) if ver else version
        if not name:
            raise UserErrorException("Model(ws, name=…) or Model(ws, id='name:version')")
        found = _find(workspace, name, version, tags, properties, run_id)
        self._version: ModelVersion = found

    @classmethod
    def _of(cls, workspace: Workspace, version: ModelVersion) -> Model:
        model = cls.__new__(cls)
        model.workspace = workspace
        model._version = version
        return model

    # ---- v1 attributes ------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._version.name

    @property
    def version(self) -> int:
        return self._version.version

    @property
    def id(self) -> str:
        return self._version.ref

    @property
    def url(self) -> str:
        return f"mlws://models/{self.name}/versions/{self.version}"

    @property
    def tags(self) -> dict[str, str]:
        return dict(self._version.tags)

    @property
    def properties(self) -> dict[str, str]:
        return dict(self._version.properties)

    @property
    def description(self) -> str | None:
        return self._version.description

    @property
    def model_framework(self) -> str | None:
        return self._version.framework

    @property
    def model_framework_version(self) -> str | None:
        return self._version.framework_version

    @property
    def run_id(self) -> str | None:
        return self._version.run_id

    @property
    def experiment_name(self) -> str | None:
        return self._version.experiment_name

    @property
    def created_time(self) -> datetime:
        return datetime.fromtimestamp(self._version.created_ms / 1000, tz=timezone.utc)

    @property
    def datasets(self) -> dict[str, list[str]]:
        return {"training": list(self._version.datasets)} if self._version.datasets else {}

    # ---- registering and finding --------------------------------------------------------
    @staticmethod
    def register(
        workspace: Workspace,
        model_path: str | os.PathLike[str],
        model_name: str,
        tags: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        description: str | None = None,
        datasets: Any = None,
        model_framework: str | None = None,
        model_framework_version: str | None = None,
        child_paths: Any = None,
        sample_input_dataset: Any = None,
        sample_output_dataset: Any = None,
        resource_configuration: Any = None,
        **kwargs: Any,
    ) -> Model:
        version = workspace.register_model(
            model_name,
            model_path,
            tags=tags,
            properties=properties,
            description=description,
            framework=model_framework,
            framework_version=model_framework_version,
            datasets=dataset_names(datasets, sample_input_dataset, sample_output_dataset),
        )
        print(f"Registering model {model_name}")
        return Model._of(workspace, version)

    @staticmethod
    def list(
        workspace: Workspace,
        name: str | None = None,
        tags: Any = None,
        properties: Any = None,
        run_id: str | None = None,
        latest: bool = False,
        dataset_id: str | None = None,
        expand: bool = True,
        page_count: int = 255,
        model_framework: str | None = None,
    ) -> builtins.list[Model]:
        found = workspace.model_registry.search(
            name, tags=_filter(tags), properties=_filter(properties), run_id=run_id, latest=latest
        )
        models = [Model._of(workspace, v) for v in found]
        if model_framework is not None:
            models = [m for m in models if m.model_framework == model_framework]
        return models

    @staticmethod
    def get_model_path(
        model_name: str, version: int | None = None, _workspace: Workspace | None = None
    ) -> str:
        served = os.environ.get(MODEL_DIR_ENV)
        if served and _workspace is None:
            return str(_served_path(Path(served), model_name))
        from jupyter_mlws.azureml.core.workspace import Workspace

        ws = _workspace or Workspace.current()
        model = Model(ws, model_name, version=version)
        folder = Path(LOCAL_CACHE) / model.name / str(model.version)
        path = folder / model._version.root
        if not path.exists():
            model.download(str(folder), exist_ok=True)
        return str(path)

    @staticmethod
    def deploy(
        workspace: Workspace,
        name: str,
        models: Sequence[Model],
        inference_config: Any = None,
        deployment_config: Any = None,
        deployment_target: Any = None,
        overwrite: bool = False,
        show_output: bool = False,
    ) -> Webservice:
        from jupyter_mlws.azureml.core.webservice import deploy

        return deploy(
            workspace, name, models, inference_config, deployment_config, overwrite, show_output
        )

    # ---- one model -----------------------------------------------------------------------
    def download(
        self, target_dir: str = ".", exist_ok: bool = False, exists_ok: bool | None = None
    ) -> str:
        ok = exist_ok if exists_ok is None else exists_ok
        return str(self.workspace.download_model(self._version, target_dir, exist_ok=ok))

    def add_tags(self, tags: Mapping[str, Any]) -> None:
        self._version = self.workspace.model_registry.add_tags(self._version, tags)

    def remove_tags(self, tags: Iterable[str]) -> None:
        self._version = self.workspace.model_registry.add_tags(self._version, {}, remove=tags)

    def delete(self) -> None:
        self.workspace.delete_model(self._version)

    def serialize(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "tags": self.tags,
            "properties": self.properties,
            "description": self.description,
            "runId": self.run_id,
            "url": self.url,
            "createdTime": self.created_time.isoformat(),
            "framework": self.model_framework,
        }

    def __repr__(self) -> str:
        return (
            f"Model(workspace={self.workspace.name!r}, name={self.name}, id={self.id}, "
            f"version={self.version}, tags={self.tags}, properties={self.properties})"
        )


def dataset_names(*groups: Any) -> builtins.list[str]:
    """Dataset references in any v1 form (a dataset, (role, dataset) pairs, a list)."""
    names: builtins.list[str] = []
    for group in groups:
        items = group if isinstance(group, (list, tuple)) else [group]
        for item in items:
            if item is None:
                continue
            if isinstance(item, tuple) and len(item) == 2:
                item = item[1]
            names.append(str(getattr(item, "name", None) or item))
    return names


def _find(
    ws: Workspace, name: str, version: int | None, tags: Any, properties: Any, run_id: str | None
) -> ModelVersion:
    try:
        if version is not None:
            return ws.model(name, version=int(version))
        found = ws.model_registry.search(
            name, tags=_filter(tags), properties=_filter(properties), run_id=run_id
        )
    except ResourceNotFoundError as exc:
        raise ModelNotFoundException(str(exc)) from None
    if not found:
        raise ModelNotFoundException(f"no model {name!r} matches in this workspace")
    return max(found, key=lambda v: v.version)


def _filter(values: Any) -> Any:
    """v1 tag filters: ``["key"]``, ``[["key", "value"]]`` or a dict."""
    if values is None or isinstance(values, Mapping):
        return values
    out: dict[str, str | None] = {}
    for item in values:
        if isinstance(item, (list, tuple)):
            out[str(item[0])] = str(item[1]) if len(item) > 1 else None
        else:
            out[str(item)] = None
    return out


def _served_path(model_dir: Path, model_name: str) -> Path:
    """One model: its file or folder sits right in the model folder; several: one
    subfolder per model name."""
    own = model_dir / model_name
    entries = sorted(model_dir.iterdir()) if model_dir.is_dir() else []
    if len(entries) > 1 and own.is_dir():
        inner = sorted(own.iterdir())
        return inner[0] if len(inner) == 1 else own
    if len(entries) == 1:
        return entries[0]
    return own if own.exists() else model_dir


class InferenceConfig:
    """``InferenceConfig(entry_script, source_directory, environment)``: what to serve."""

    def __init__(
        self,
        entry_script: str | None = None,
        runtime: str | None = None,
        conda_file: str | None = None,
        extra_docker_file_steps: str | None = None,
        source_directory: str | None = None,
        enable_gpu: bool | None = None,
        description: str | None = None,
        base_image: str | None = None,
        base_image_registry: Any = None,
        cuda_version: str | None = None,
        environment: Any = None,
    ) -> None:
        if not entry_script:
            raise UserErrorException("InferenceConfig needs entry_script=")
        self.entry_script = entry_script
        self.source_directory = source_directory
        self.environment = environment
        self.conda_file = conda_file
        self.runtime = runtime
        self.description = description
        self.base_image = base_image

    def script_and_folder(self) -> tuple[str, str]:
        """(entry script relative to its folder, the folder), as v1 resolved them."""
        if self.source_directory:
            return self.entry_script, self.source_directory
        script = Path(self.entry_script)
        return script.name, str(script.parent)
