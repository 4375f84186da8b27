"""The model registry as remote clients (the MLflow REST API's) use it.

One registry: a registered model is a model of ``ws.model_registry`` and a version is
one of its versions, so a version created here is deployable with ``ws.deploy`` and one
registered with ``ws.register_model`` is listed and downloadable here. A version made
from a run's artifact folder takes that folder's files (the same blobs, not a copy) and
the run as its lineage. MLflow's stage and source URI are kept beside the version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO

from jupyter_mlws.entities import FileEntry, ModelVersion
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.registry import validate_alias, validate_model_name
from jupyter_mlws.store.registry_meta import STAGES, RegisteredModel, VersionMeta
from jupyter_mlws.tracking.run_files import clean_artifact_path
from jupyter_mlws.workspace import Workspace

__all__ = [
    "STAGES",
    "ClientVersion",
    "RegisteredModel",
    "create_model",
    "create_version",
    "delete_alias",
    "delete_model",
    "delete_version",
    "get_model",
    "get_version",
    "list_models",
    "list_versions",
    "model_files",
    "open_file",
    "rename_model",
    "set_alias",
    "set_model_tag",
    "set_version_tags",
    "stage_of",
    "update_model",
    "update_version",
]


@dataclass(frozen=True)
class ClientVersion:
    """A registry version with what MLflow keeps beside it."""

    version: ModelVersion
    meta: VersionMeta


# ---- registered models -----------------------------------------------------------------
def create_model(
    ws: Workspace, name: str, description: str | None, tags: Mapping[str, str]
) -> RegisteredModel:
    validate_model_name(name)
    return ws.store.create_registered_model(name, description or None, tags)


def get_model(ws: Workspace, name: str) -> RegisteredModel:
    return ws.store.get_registered_model(name)


def list_models(ws: Workspace) -> list[RegisteredModel]:
    return ws.store.list_registered_models()


def rename_model(ws: Workspace, name: str, new_name: str) -> RegisteredModel:
    ws.store.get_registered_model(name)
    validate_model_name(new_name)
    return ws.store.rename_registered_model(name, new_name)


def update_model(ws: Workspace, name: str, description: str) -> RegisteredModel:
    return ws.store.update_registered_model(name, description)


def delete_model(ws: Workspace, name: str) -> None:
    ws.store.delete_registered_model(name)


def set_model_tag(ws: Workspace, name: str, key: str, value: str | None) -> None:
    """Set a tag, or remove it when ``value`` is None."""
    if value is None:
        ws.store.delete_registered_model_tag(name, key)
    else:
        ws.store.set_registered_model_tag(name, key, value)


def set_alias(ws: Workspace, name: str, alias: str, version: int) -> None:
    ws.store.get_registered_model(name)
    ws.model_registry.set_alias(f"{name}:{version}", validate_alias(alias))


def delete_alias(ws: Workspace, name: str, alias: str) -> None:
    ws.store.get_registered_model(name)
    ws.model_registry.remove_alias(name, alias)


# ---- versions --------------------------------------------------------------------------
def _with_meta(ws: Workspace, versions: Sequence[ModelVersion]) -> list[ClientVersion]:
    meta = ws.store.version_meta([(v.name, v.version) for v in versions])
    return [ClientVersion(v, meta.get((v.name, v.version), VersionMeta())) for v in versions]


def get_version(
    ws: Workspace, name: str, version: int | None = None, alias: str | None = None
) -> ClientVersion:
    ws.store.get_registered_model(name)
    try:
        found = ws.store.get_model_version(name, version, alias)
    except ResourceNotFoundError:
        if alias is not None:
            raise ResourceNotFoundError(
                f"Registered model alias {alias} not found on model {name}"
            ) from None
        raise ResourceNotFoundError(
            f"Model Version (name={name}, version={version}) not found"
        ) from None
    return _with_meta(ws, [found])[0]


def list_versions(ws: Workspace, name: str | None = None) -> list[ClientVersion]:
    """Every version (of one model), names sorted, newest first within a name."""
    return _with_meta(ws, ws.store.list_model_versions(name))


def model_files(ws: Workspace, name: str, version: int) -> tuple[ModelVersion, list[FileEntry]]:
    found = get_version(ws, name, version).version
    return found, ws.store.list_model_files(name, version)


def stage_of(text: str) -> str:
    """MLflow's stage names, case-insensitively."""
    for stage in STAGES:
        if stage.lower() == (text or "").strip().lower():
            return stage
    raise InvalidParameterError(f"Invalid Model Version stage: {text}. Use one of {list(STAGES)}")


def create_version(
    ws: Workspace,
    name: str,
    *,
    source: str,
    run_id: str | None,
    tags: Mapping[str, str],
    description: str | None,
    source_files: tuple[str, str] | None = None,
) -> ClientVersion:
    """The next version of ``name`` from the files of ``source_files`` = (run id, folder
    or file inside the run) or of another version (``("model:<name>:<v>", path)``)."""
    ws.store.get_registered_model(name)
    if source_files is None:
        raise InvalidParameterError(
            f"Unsupported model version source {source!r}: give a run's artifact location "
            "(runs:/<run_id>/<path> or the run's mlflow-artifacts:/ URI)"
        )
    owner, rel = source_files
    root, files = _source_files(ws, owner, rel)
    if run_id is None and not owner.startswith("model:"):
        run_id = owner
    created = ws.model_registry.register(
        name,
        files=files,
        root=root,
        tags=dict(tags),
        description=description or None,
        run_id=run_id or None,
    )
    ws.store.update_version_meta(name, created.version, source=source)
    return get_version(ws, name, created.version)


def _source_files(ws: Workspace, owner: str, rel: str) -> tuple[str, list[FileEntry]]:
    """The files under ``rel`` renamed to start with the root the version gets."""
    rel = clean_artifact_path(rel) if rel.strip("/") else ""
    if owner.startswith("model:"):
        _, model_name, number = owner.split(":", 2)
        _, entries = model_files(ws, model_name, int(number))
    else:
        try:
            ws.store.get_run(owner)
        except ResourceNotFoundError:
            raise ResourceNotFoundError(f"Run with id={owner} not found") from None
        entries = ws.store.list_artifacts(owner, rel)
    root = rel.rsplit("/", 1)[-1] if rel else "model"
    files: list[FileEntry] = []
    for entry in entries:
        if entry.path == rel:
            files.append(FileEntry(root, entry.digest, entry.size, entry.mode))
        elif not rel or entry.path.startswith(f"{rel}/"):
            tail = entry.path[len(rel) + 1 :] if rel else entry.path
            files.append(FileEntry(f"{root}/{tail}", entry.digest, entry.size, entry.mode))
    if not files:
        raise InvalidParameterError(
            f"the model version source has no files: nothing under {rel or '/'!r}"
        )
    return root, files


def update_version(
    ws: Workspace,
    name: str,
    version: int,
    *,
    description: str | None = None,
    stage: str | None = None,
    archive_others: bool = False,
) -> ClientVersion:
    get_version(ws, name, version)
    ws.store.update_version_meta(
        name,
        version,
        description=description,
        stage=None if stage is None else stage_of(stage),
        archive_others=archive_others,
    )
    return get_version(ws, name, version)


def set_version_tags(
    ws: Workspace, name: str, version: int, set_: Mapping[str, str], remove: Sequence[str] = ()
) -> None:
    get_version(ws, name, version)
    ws.model_registry.add_tags(f"{name}:{version}", set_, remove)


def delete_version(ws: Workspace, name: str, version: int) -> None:
    get_version(ws, name, version)
    ws.model_registry.delete(f"{name}:{version}")


def open_file(ws: Workspace, entry: FileEntry) -> IO[bytes]:
    """A stream of one of a version's files."""
    return ws.blobs.open(entry.digest)
