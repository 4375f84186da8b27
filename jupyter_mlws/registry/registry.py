"""The model registry: versioned, tagged, aliased model files with their lineage.

It sits below tracking (it takes a store and a blob store, not a workspace) so that
``Run.register_model`` can use it; the facade's ``ws.register_model`` is the same call.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from jupyter_mlws.artifacts.blobs import BlobStore
from jupyter_mlws.entities import FileEntry, ModelVersion
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.registry.files import store_path, write_files
from jupyter_mlws.registry.refs import (
    ModelRef,
    parse_model_ref,
    validate_alias,
    validate_model_name,
)
from jupyter_mlws.store import SqlStore

RefLike = str | ModelRef | ModelVersion


class ModelRegistry:
    def __init__(self, store: SqlStore, blobs: BlobStore) -> None:
        self.store = store
        self.blobs = blobs

    # ---- registering ------------------------------------------------------------------
    def register(
        self,
        name: str,
        path: str | os.PathLike[str] | None = None,
        *,
        files: Sequence[FileEntry] | None = None,
        root: str | None = None,
        tags: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        description: str | None = None,
        framework: str | None = None,
        framework_version: str | None = None,
        run_id: str | None = None,
        datasets: Iterable[str] | None = None,
    ) -> ModelVersion:
        """A new version of ``name`` from a local file or folder, or from stored ``files``."""
        validate_model_name(name)
        if (path is None) == (files is None):
            raise InvalidParameterError("register a model from a path or from files, not both")
        if path is not None:
            root, files = store_path(self.blobs, path)
        assert files is not None
        if not files:
            raise InvalidParameterError(f"model {name!r} would have no files")
        return self.store.create_model_version(
            name,
            root=root or files[0].path.split("/")[0],
            files=files,
            description=description,
            framework=framework,
            framework_version=framework_version,
            tags=_texts(tags),
            properties=_texts(properties),
            run_id=run_id,
            datasets=[str(d) for d in datasets or ()],
        )

    # ---- finding ----------------------------------------------------------------------
    def get(
        self, ref: RefLike, version: int | None = None, alias: str | None = None
    ) -> ModelVersion:
        """``get("m")`` latest, ``get("m:3")``, ``get("m@production")``, ``get("m", 3)``."""
        r = self.resolve_ref(ref, version, alias)
        return self.store.get_model_version(r.name, r.version, r.alias)

    def search(
        self,
        name: str | None = None,
        *,
        tags: Mapping[str, str | None] | Iterable[str] | None = None,
        properties: Mapping[str, str | None] | Iterable[str] | None = None,
        run_id: str | None = None,
        latest: bool = False,
    ) -> list[ModelVersion]:
        """Search by name, tags and properties (``{"k": "v"}``, or ``["k"]`` for any value)."""
        return self.store.list_model_versions(
            name,
            tags=_filter(tags),
            properties=_filter(properties),
            run_id=run_id,
            latest_only=latest,
        )

    def files(self, ref: RefLike) -> list[FileEntry]:
        model = self.get(ref)
        return self.store.list_model_files(model.name, model.version)

    # ---- changing ---------------------------------------------------------------------
    def set_alias(self, ref: RefLike, alias: str) -> ModelVersion:
        """Point ``alias`` (e.g. ``production``) at this version; moves it if set elsewhere."""
        model = self.get(ref)
        return self.store.set_model_alias(model.name, validate_alias(alias), model.version)

    def remove_alias(self, name: str, alias: str) -> None:
        self.store.delete_model_alias(validate_model_name(name), validate_alias(alias))

    def add_tags(
        self, ref: RefLike, tags: Mapping[str, Any], remove: Iterable[str] = ()
    ) -> ModelVersion:
        model = self.get(ref)
        return self.store.update_model_tags(model.name, model.version, _texts(tags), remove)

    def delete(self, ref: RefLike) -> ModelVersion:
        """Delete one version (refused while an endpoint serves it); returns what was deleted."""
        model = self.get(ref)
        self.store.delete_model_version(model.name, model.version)
        return model

    # ---- files ------------------------------------------------------------------------
    def download(
        self, ref: RefLike, target_dir: str | os.PathLike[str] = ".", *, exist_ok: bool = False
    ) -> Path:
        """Write the model's files under ``target_dir``; returns the model's file or folder."""
        model = self.get(ref)
        target = Path(target_dir).expanduser()
        write_files(self.blobs, self.files(model), target, exist_ok=exist_ok)
        return target / model.root

    @staticmethod
    def resolve_ref(ref: RefLike, version: int | None = None, alias: str | None = None) -> ModelRef:
        if isinstance(ref, ModelVersion):
            return ModelRef(ref.name, ref.version)
        if isinstance(ref, ModelRef):
            return ref
        return parse_model_ref(ref, version, alias)


def _texts(values: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(k): v if isinstance(v, str) else str(v) for k, v in (values or {}).items()}


def _filter(
    wanted: Mapping[str, str | None] | Iterable[str] | None,
) -> dict[str, str | None] | None:
    """Accept ``{"k": "v"}``, ``["k", "k2=v"]`` or None."""
    if wanted is None:
        return None
    if isinstance(wanted, Mapping):
        return {str(k): None if v is None else str(v) for k, v in wanted.items()}
    found: dict[str, str | None] = {}
    for item in wanted:
        key, sep, value = str(item).partition("=")
        found[key] = value if sep else None
    return found
