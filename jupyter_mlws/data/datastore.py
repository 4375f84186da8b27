"""``Datastore``: a named connection to a storage location (file://, S3, Azure Blob, GCS).

The database keeps the URL and the options; any credential among the options is put
in the key vault first and stored only as a reference ``{"secret": NAME}``, resolved
when the datastore is opened. ``workspaceblobstore``, the default datastore, is an
area (``datastore/``) of the workspace's own artifact store and needs no registration.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from jupyter_mlws.data.filesystems import (
    CREDENTIAL_OPTIONS,
    LOCAL_PROTOCOLS,
    open_filesystem,
    protocol_of,
    require_driver,
    translated,
)
from jupyter_mlws.data.keyvault import KeyVault
from jupyter_mlws.entities import DatastoreRecord, validate_name
from jupyter_mlws.exceptions import InvalidParameterError, ResourceAlreadyExistsError

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Workspace

DEFAULT_NAME = "workspaceblobstore"
DEFAULT_AREA = "datastore"


class Datastore:
    def __init__(self, ws: Workspace, record: DatastoreRecord) -> None:
        self.workspace = ws
        self.record = record
        self._fs: tuple[Any, str] | None = None

    # ---- identity -----------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.record.name

    @property
    def url(self) -> str:
        return self.record.url

    @property
    def is_local(self) -> bool:
        return protocol_of(self.url) in LOCAL_PROTOCOLS

    def to_dict(self) -> dict[str, Any]:
        return {**self.record.to_dict(), "default": self.name == DEFAULT_NAME}

    def __repr__(self) -> str:
        return f"Datastore({self.name!r}, {self.url!r})"

    def path(self, path: str = "") -> tuple[Datastore, str]:
        """``(datastore, path)``: what ``Dataset.File.from_files(path=...)`` takes."""
        return (self, path)

    # ---- registration (Azure ML names) ----------------------------------------------------
    @classmethod
    def register(
        cls,
        workspace: Workspace,
        datastore_name: str,
        url: str,
        options: Mapping[str, Any] | None = None,
        overwrite: bool = False,
        check: bool = True,
    ) -> Datastore:
        """Any fsspec URL; credentials among ``options`` go to the key vault."""
        name = _check_name(datastore_name)
        if not isinstance(url, str) or not url:
            raise InvalidParameterError("a datastore needs a URL, e.g. s3://bucket/prefix")
        if protocol_of(url) in LOCAL_PROTOCOLS:
            url = Path(url.removeprefix("file://")).expanduser().resolve().as_uri()
        require_driver(url)
        if not overwrite and _exists(workspace, name):
            raise ResourceAlreadyExistsError(
                f"datastore {name!r} already exists (pass overwrite=True / --overwrite)"
            )
        stored = _store_credentials(workspace, name, dict(options or {}))
        record = DatastoreRecord(name=name, url=url.rstrip("/"), options=stored)
        store = cls(workspace, record)
        if check:
            store.check()
        workspace.store.create_datastore(name, record.url, stored, overwrite=overwrite)
        return cls.get(workspace, name)

    @classmethod
    def register_s3(
        cls,
        workspace: Workspace,
        datastore_name: str,
        bucket_name: str,
        prefix: str = "",
        access_key: str | None = None,
        secret_key: str | None = None,
        access_key_secret: str | None = None,
        secret_key_secret: str | None = None,
        endpoint_url: str | None = None,
        region: str | None = None,
        overwrite: bool = False,
    ) -> Datastore:
        """Keys in clear (``access_key``/``secret_key``) are put into the key vault;
        ``*_secret`` name secrets already there."""
        options: dict[str, Any] = {}
        if access_key is not None:
            options["key"] = access_key
        if secret_key is not None:
            options["secret"] = secret_key
        if access_key_secret:
            options["key"] = {"secret": access_key_secret}
        if secret_key_secret:
            options["secret"] = {"secret": secret_key_secret}
        if endpoint_url:
            options["endpoint_url"] = endpoint_url
        if region:
            options["region"] = region
        url = f"s3://{bucket_name}/{prefix.strip('/')}".rstrip("/")
        return cls.register(workspace, datastore_name, url, options, overwrite=overwrite)

    @classmethod
    def register_azure_blob_container(
        cls,
        workspace: Workspace,
        datastore_name: str,
        container_name: str,
        account_name: str,
        sas_token: str | None = None,
        account_key: str | None = None,
        account_key_secret: str | None = None,
        blob_endpoint: str | None = None,
        overwrite: bool = False,
        create_if_not_exists: bool = False,
    ) -> Datastore:
        """``blob_endpoint`` points at a non-default Blob service (Azurite, …)."""
        options: dict[str, Any] = {"account_name": account_name}
        if account_key is not None:
            options["account_key"] = account_key
        if account_key_secret:
            options["account_key"] = {"secret": account_key_secret}
        if sas_token is not None:
            options["sas_token"] = sas_token
        if blob_endpoint:
            options["blob_endpoint"] = blob_endpoint
        url = f"az://{container_name}"
        if create_if_not_exists:
            probe = cls(workspace, DatastoreRecord(datastore_name, url, {}))
            probe.record = DatastoreRecord(
                datastore_name, url, _store_credentials(workspace, datastore_name, options)
            )
            fs, root = probe.filesystem()
            if not translated(f"container {container_name!r}", lambda: fs.exists(root)):
                translated(f"container {container_name!r}", lambda: fs.mkdir(root))
        return cls.register(workspace, datastore_name, url, options, overwrite=overwrite)

    @classmethod
    def register_gcs(
        cls,
        workspace: Workspace,
        datastore_name: str,
        bucket_name: str,
        prefix: str = "",
        token_secret: str | None = None,
        overwrite: bool = False,
    ) -> Datastore:
        options: dict[str, Any] = {"token": {"secret": token_secret}} if token_secret else {}
        url = f"gs://{bucket_name}/{prefix.strip('/')}".rstrip("/")
        return cls.register(workspace, datastore_name, url, options, overwrite=overwrite)

    # ---- lookup -----------------------------------------------------------------------
    @classmethod
    def get(cls, workspace: Workspace, datastore_name: str) -> Datastore:
        if datastore_name == DEFAULT_NAME:
            return cls.default(workspace)
        return cls(workspace, workspace.store.get_datastore(datastore_name))

    @classmethod
    def default(cls, workspace: Workspace) -> Datastore:
        url = workspace.artifact_url.rstrip("/") + "/" + DEFAULT_AREA
        if protocol_of(url) in LOCAL_PROTOCOLS:
            url = Path(url.removeprefix("file://")).resolve().as_uri()
        return cls(workspace, DatastoreRecord(name=DEFAULT_NAME, url=url))

    @classmethod
    def list(cls, workspace: Workspace) -> list[Datastore]:
        return [cls.default(workspace)] + [
            cls(workspace, r) for r in workspace.store.list_datastores()
        ]

    def unregister(self) -> None:
        if self.name == DEFAULT_NAME:
            raise InvalidParameterError("the workspace's default datastore cannot be deleted")
        self.workspace.store.delete_datastore(self.name)

    # ---- the filesystem -------------------------------------------------------------------
    def filesystem(self) -> tuple[Any, str]:
        """``(fsspec filesystem, root path)`` with credentials resolved from the key vault."""
        if self._fs is None:
            options = _resolve_credentials(self.workspace, self.record.options)
            self._fs = open_filesystem(self.url, options)
        return self._fs

    def full_path(self, path: str) -> str:
        _, root = self.filesystem()
        rel = _clean_relative(path)
        return f"{root}/{rel}" if rel else root

    def check(self) -> None:
        """List the root once: a missing bucket or refused credentials fail here."""
        fs, root = self.filesystem()
        what = f"datastore {self.name!r} ({self.url})"
        if self.is_local:
            if not Path(root).is_dir():
                raise InvalidParameterError(f"{what}: no such folder")
            return
        bucket = root.split("/", 1)[0]
        translated(what, lambda: fs.ls(bucket, detail=False))

    # ---- moving files (Azure ML names) ----------------------------------------------------
    def upload(
        self,
        src_dir: str | os.PathLike[str],
        target_path: str | None = None,
        overwrite: bool = False,
        show_progress: bool = False,
    ) -> tuple[Datastore, str]:
        """Upload a local folder's files under ``target_path``; existing files are kept
        unless ``overwrite``."""
        src = Path(src_dir).expanduser().resolve()
        if not src.is_dir():
            raise InvalidParameterError(f"{str(src)!r} is not a folder")
        files = [p for p in sorted(src.rglob("*")) if p.is_file()]
        self.upload_files(files, relative_root=src, target_path=target_path, overwrite=overwrite)
        return self.path(_clean_relative(target_path or ""))

    def upload_files(
        self,
        files: Iterable[str | os.PathLike[str]],
        relative_root: str | os.PathLike[str] | None = None,
        target_path: str | None = None,
        overwrite: bool = False,
        show_progress: bool = False,
    ) -> tuple[Datastore, str]:
        fs, _ = self.filesystem()
        paths = [Path(f).expanduser().resolve() for f in files]
        for p in paths:
            if not p.is_file():
                raise InvalidParameterError(f"{str(p)!r} is not a file")
        base = Path(relative_root).expanduser().resolve() if relative_root else None
        target = self.full_path(target_path or "")
        pairs: list[tuple[str, str]] = []
        for p in paths:
            rel = p.relative_to(base).as_posix() if base and p.is_relative_to(base) else p.name
            pairs.append((str(p), f"{target}/{rel}"))
        what = f"upload to datastore {self.name!r}"
        if not overwrite:
            existing = set(translated(what, lambda: _existing(fs, target)))
            pairs = [(lp, rp) for lp, rp in pairs if rp not in existing]
        if pairs:
            if self.is_local:
                for _, rp in pairs:
                    Path(rp).parent.mkdir(parents=True, exist_ok=True)
            translated(what, lambda: fs.put([lp for lp, _ in pairs], [rp for _, rp in pairs]))
            fs.invalidate_cache()
        return self.path(_clean_relative(target_path or ""))

    def download(
        self,
        target_path: str | os.PathLike[str],
        prefix: str | None = None,
        overwrite: bool = False,
        show_progress: bool = False,
    ) -> int:
        """Download the files under ``prefix`` into ``target_path``; returns the count."""
        fs, _ = self.filesystem()
        source = self.full_path(prefix or "")
        what = f"download from datastore {self.name!r}"
        found = translated(what, lambda: fs.find(source, detail=False))
        target = Path(target_path).expanduser().resolve()
        pairs = []
        for remote in sorted(found):
            rel = PurePosixPath(remote).relative_to(source) if remote != source else None
            local = target / (rel.as_posix() if rel else PurePosixPath(remote).name)
            if overwrite or not local.exists():
                local.parent.mkdir(parents=True, exist_ok=True)
                pairs.append((remote, str(local)))
        if pairs:
            translated(what, lambda: fs.get([r for r, _ in pairs], [lp for _, lp in pairs]))
        return len(pairs)


def _existing(fs: Any, target: str) -> list[str]:
    try:
        return [str(p) for p in fs.find(target, detail=False)]
    except FileNotFoundError:
        return []


def _check_name(name: str) -> str:
    validate_name("datastore", name)
    if name == DEFAULT_NAME:
        raise InvalidParameterError(f"{DEFAULT_NAME!r} is the workspace's default datastore")
    return name


def _exists(ws: Workspace, name: str) -> bool:
    return any(r.name == name for r in ws.store.list_datastores())


def _clean_relative(path: str) -> str:
    parts = PurePosixPath(str(path).replace("\\", "/")).parts
    if ".." in parts:
        raise InvalidParameterError(f"path {path!r} must stay inside the datastore")
    return "/".join(p for p in parts if p not in ("/", "."))


def _store_credentials(ws: Workspace, name: str, options: dict[str, Any]) -> dict[str, Any]:
    """Clear credentials → key-vault secrets ``datastore.NAME.OPTION`` + references."""
    vault = KeyVault(ws)
    stored: dict[str, Any] = {}
    for key, value in options.items():
        if isinstance(value, Mapping):
            if set(value) != {"secret"}:
                raise InvalidParameterError(
                    f"datastore option {key!r}: a mapping must be a secret reference "
                    '{"secret": NAME}'
                )
            vault.get_secret(str(value["secret"]))  # must exist (and decrypt) now
            stored[key] = {"secret": str(value["secret"])}
        elif key in CREDENTIAL_OPTIONS and value is not None:
            secret = f"datastore.{name}.{key}"
            vault.set_secret(secret, str(value))
            stored[key] = {"secret": secret}
        else:
            stored[key] = value
    return stored


def _resolve_credentials(ws: Workspace, options: Mapping[str, Any]) -> dict[str, Any]:
    vault = KeyVault(ws)
    return {
        key: vault.get_secret(str(value["secret"])) if isinstance(value, Mapping) else value
        for key, value in options.items()
    }
