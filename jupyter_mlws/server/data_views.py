"""Read views of datastores, datasets, lineage and key-vault names for the REST API.

Datastore options show credentials only as references (``{"secret": NAME}``); the key
vault is listed by name only. Nothing here decrypts a secret.
"""

from __future__ import annotations

from typing import Any

from jupyter_mlws.data import Dataset, Datastore
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.workspace import Workspace


def list_datastores(ws: Workspace) -> list[dict[str, Any]]:
    return [d.to_dict() for d in Datastore.list(ws)]


def get_datastore(ws: Workspace, name: str) -> dict[str, Any]:
    return Datastore.get(ws, name).to_dict()


def list_datasets(ws: Workspace, name: str | None) -> list[dict[str, Any]]:
    return [v.to_dict() for v in Dataset.list(ws, name or None)]


def get_dataset(ws: Workspace, ref: str) -> dict[str, Any]:
    """``name`` (latest) or ``name:VERSION``, with its files (as registered)."""
    ds = _get(ws, ref)
    files = [{"path": f.path, "size": f.size} for f in ds.files]
    return {**ds.to_dict(), "files": files}


def dataset_profile(ws: Workspace, ref: str) -> dict[str, Any]:
    ds = _get(ws, ref)
    if ds.version_info is None or ds.version_info.kind != "tabular":
        raise InvalidParameterError(f"dataset {ref!r} is a file dataset: only tabular ones profile")
    return {"dataset": ds.ref, **ds.get_profile()}


def dataset_lineage(ws: Workspace, ref: str) -> dict[str, Any]:
    return _get(ws, ref).lineage()


def list_secret_names(ws: Workspace) -> list[dict[str, Any]]:
    return ws.get_default_keyvault().list_secrets()


def _get(ws: Workspace, ref: str) -> Any:
    _, _, version = ref.partition(":")
    if version and not version.isdigit():
        raise InvalidParameterError(f"dataset version must be a number, got {version!r}")
    return Dataset.get(ws, ref)
