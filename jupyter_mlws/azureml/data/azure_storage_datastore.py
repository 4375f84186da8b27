"""``azureml.core.Datastore`` (and ``azureml.data.azure_storage_datastore``): the native
datastore under v1's names and argument order.

``Datastore(ws)`` is the workspace's default (``workspaceblobstore``, an area of the
workspace's own artifact store), ``Datastore(ws, name)`` / ``Datastore.get`` a registered
one. Blob containers and ADLS Gen2 file systems register as native ``az://`` / ``abfs://``
datastores (their keys go to the key vault); S3 and GCS keep the native
``register_s3`` / ``register_gcs``; storage kinds with no native driver say so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from jupyter_mlws.azureml._notice import say_once
from jupyter_mlws.azureml.exceptions import NotAvailableError, UserErrorException
from jupyter_mlws.data.datastore import DEFAULT_NAME
from jupyter_mlws.data.datastore import Datastore as NativeDatastore
from jupyter_mlws.entities import DatastoreRecord
from jupyter_mlws.exceptions import ResourceNotFoundError

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Workspace

FEATURE = "datastores"
# v1's datastore_type for each native URL scheme.
TYPES = {
    "az": "AzureBlob",
    "abfs": "AzureDataLakeGen2",
    "abfss": "AzureDataLakeGen2",
    "s3": "S3",
    "s3a": "S3",
    "gs": "GCS",
    "gcs": "GCS",
    "http": "Http",
    "https": "Http",
}


class DatastoreNotFoundError(UserErrorException, ResourceNotFoundError):
    """A v1 ``UserErrorException`` that is also the native not-found error."""


class Datastore(NativeDatastore):
    """``Datastore(workspace, name=None)``: the default datastore, or the one named."""

    def __init__(self, workspace: Workspace, name: str | DatastoreRecord | None = None) -> None:
        if isinstance(name, DatastoreRecord):  # built by the native classmethods
            super().__init__(workspace, name)
            return
        found = (
            NativeDatastore.default(workspace)
            if name in (None, DEFAULT_NAME)
            else _lookup(workspace, str(name))
        )
        super().__init__(workspace, found.record)

    @classmethod
    def _of(cls, native: NativeDatastore) -> Datastore:
        if isinstance(native, Datastore):
            return native
        return cls(native.workspace, native.record)

    # ---- v1 attributes --------------------------------------------------------------------
    @property
    def datastore_type(self) -> str:
        if self.name == DEFAULT_NAME or self.is_local:
            return "AzureBlob"  # what v1 code expects of workspaceblobstore
        return TYPES.get(urlsplit(self.url).scheme.lower(), urlsplit(self.url).scheme)

    @property
    def container_name(self) -> str:
        if self.is_local:
            return DEFAULT_NAME if self.name == DEFAULT_NAME else self.url.rsplit("/", 1)[-1]
        return urlsplit(self.url).netloc

    @property
    def account_name(self) -> str:
        return str(self.record.options.get("account_name") or "local")

    @property
    def protocol(self) -> str:
        return urlsplit(self.url).scheme or "file"

    @property
    def endpoint(self) -> str:
        return str(self.record.options.get("blob_endpoint") or "local")

    # ---- lookup --------------------------------------------------------------------------
    @classmethod
    def get(cls, workspace: Workspace, datastore_name: str) -> Datastore:
        return cls(workspace, datastore_name)

    @classmethod
    def get_default(cls, workspace: Workspace) -> Datastore:
        return cls(workspace)

    def set_as_default(self) -> None:
        if self.name != DEFAULT_NAME:
            raise NotAvailableError(
                f"{FEATURE}: another default than {DEFAULT_NAME!r} (Datastore.set_as_default)"
            )

    # ---- registration (v1 argument order) ----------------------------------------------------
    @classmethod
    def register_azure_blob_container(
        cls,
        workspace: Workspace,
        datastore_name: str,
        container_name: str,
        account_name: str,
        sas_token: str | None = None,
        account_key: str | None = None,
        protocol: str | None = None,
        endpoint: str | None = None,
        overwrite: bool = False,
        create_if_not_exists: bool = False,
        skip_validation: bool = False,
        blob_cache_timeout: int | None = None,
        grant_workspace_access: bool = False,
        subscription_id: str | None = None,
        resource_group: str | None = None,
    ) -> Datastore:
        """``endpoint`` is v1's suffix (``core.windows.net``) or, for Azurite and other
        local Blob services, the full Blob endpoint URL."""
        _say_azure_only(grant_workspace_access, subscription_id, resource_group)
        native = super().register_azure_blob_container(
            workspace,
            datastore_name,
            container_name,
            account_name,
            sas_token=sas_token,
            account_key=account_key,
            blob_endpoint=_blob_endpoint(account_name, protocol, endpoint),
            overwrite=overwrite,
            create_if_not_exists=create_if_not_exists,
        )
        return cls._of(native)

    @classmethod
    def register_azure_data_lake_gen2(
        cls,
        workspace: Workspace,
        datastore_name: str,
        filesystem: str,
        account_name: str,
        tenant_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        resource_url: str | None = None,
        authority_url: str | None = None,
        protocol: str | None = None,
        endpoint: str | None = None,
        overwrite: bool = False,
        subscription_id: str | None = None,
        resource_group: str | None = None,
        grant_workspace_access: bool = False,
    ) -> Datastore:
        _say_azure_only(grant_workspace_access, subscription_id, resource_group)
        options: dict[str, Any] = {"account_name": account_name}
        for key, value in (
            ("tenant_id", tenant_id),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ):
            if value is not None:
                options[key] = value
        url = f"abfs://{filesystem}"
        return cls._of(cls.register(workspace, datastore_name, url, options, overwrite=overwrite))

    @classmethod
    def register_azure_file_share(cls, *args: Any, **kwargs: Any) -> Datastore:
        raise NotAvailableError(
            f"{FEATURE}: Azure file shares (Datastore.register_azure_file_share)"
        )

    @classmethod
    def register_azure_data_lake(cls, *args: Any, **kwargs: Any) -> Datastore:
        raise NotAvailableError(f"{FEATURE}: ADLS Gen1 (Datastore.register_azure_data_lake)")

    @classmethod
    def register_azure_sql_database(cls, *args: Any, **kwargs: Any) -> Datastore:
        raise NotAvailableError(f"{FEATURE}: SQL databases (Datastore.register_azure_sql_database)")

    @classmethod
    def register_azure_postgre_sql(cls, *args: Any, **kwargs: Any) -> Datastore:
        raise NotAvailableError(f"{FEATURE}: PostgreSQL (Datastore.register_azure_postgre_sql)")

    @classmethod
    def register_azure_my_sql(cls, *args: Any, **kwargs: Any) -> Datastore:
        raise NotAvailableError(f"{FEATURE}: MySQL (Datastore.register_azure_my_sql)")

    @classmethod
    def register_dbfs(cls, *args: Any, **kwargs: Any) -> Datastore:
        raise NotAvailableError(f"{FEATURE}: Databricks file system (Datastore.register_dbfs)")

    # ---- moving files (v1 defaults: show_progress=True) -----------------------------------
    def upload(
        self,
        src_dir: Any,
        target_path: str | None = None,
        overwrite: bool = False,
        show_progress: bool = True,
    ) -> tuple[NativeDatastore, str]:
        result = super().upload(src_dir, target_path, overwrite=overwrite)
        if show_progress:
            print(f"Uploaded {src_dir} to {self.name}:{result[1] or '/'}", flush=True)
        return result

    def upload_files(
        self,
        files: Any,
        relative_root: Any = None,
        target_path: str | None = None,
        overwrite: bool = False,
        show_progress: bool = True,
    ) -> tuple[NativeDatastore, str]:
        files = list(files)
        result = super().upload_files(files, relative_root, target_path, overwrite=overwrite)
        if show_progress:
            print(f"Uploaded {len(files)} file(s) to {self.name}:{result[1] or '/'}", flush=True)
        return result

    def download(
        self,
        target_path: Any,
        prefix: str | None = None,
        overwrite: bool = False,
        show_progress: bool = True,
    ) -> int:
        count = super().download(target_path, prefix, overwrite=overwrite)
        if show_progress:
            print(f"Downloaded {count} file(s) from {self.name}", flush=True)
        return count

    def as_mount(self) -> Any:
        raise NotAvailableError(
            f"{FEATURE}: data references (Datastore.as_mount); pass "
            "Dataset.File.from_files((datastore, 'path/**')).as_mount() instead"
        )

    def as_download(self, path_on_compute: str | None = None) -> Any:
        raise NotAvailableError(
            f"{FEATURE}: data references (Datastore.as_download); pass "
            "Dataset.File.from_files((datastore, 'path/**')).as_download() instead"
        )


AzureBlobDatastore = Datastore
AzureDataLakeGen2Datastore = Datastore


def _lookup(workspace: Workspace, name: str) -> NativeDatastore:
    try:
        return NativeDatastore.get(workspace, name)
    except ResourceNotFoundError:
        raise DatastoreNotFoundError(f"datastore {name!r} does not exist") from None


def _blob_endpoint(account_name: str, protocol: str | None, endpoint: str | None) -> str | None:
    if not endpoint or endpoint == "core.windows.net":
        return (
            None
            if protocol in (None, "https")
            else f"{protocol}://{account_name}.blob.core.windows.net"
        )
    if re.match(r"^[a-z]+://", endpoint):
        return endpoint
    return f"{protocol or 'https'}://{account_name}.blob.{endpoint}"


def _say_azure_only(grant: bool, subscription_id: str | None, resource_group: str | None) -> None:
    if grant or subscription_id or resource_group:
        say_once(
            "datastore.azure",
            "grant_workspace_access, subscription_id and resource_group have no local "
            "meaning: the datastore is reached with the credentials given",
        )


def registered_datastores(workspace: Workspace) -> dict[str, Datastore]:
    """``ws.datastores``: the default and every registered datastore, by name."""
    return {d.name: Datastore._of(d) for d in NativeDatastore.list(workspace)}


def datastore_for_url(workspace: Workspace, url: str) -> tuple[Datastore, str]:
    """A v1 dataset path given as a URL: the datastore for its host (registered once,
    named ``web-<host>``) and the path under it."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("wasb", "wasbs") and "@" in parts.netloc:  # container@account.blob...
        container, host = parts.netloc.split("@", 1)
        scheme, parts = "https", urlsplit(f"https://{host}/{container}{parts.path}")
    if scheme not in ("http", "https") or not parts.netloc:
        raise UserErrorException(
            f"path {url!r}: give (datastore, 'path'), a DataPath or an http(s) URL"
        )
    root = f"{scheme}://{parts.netloc}"
    name = "web-" + re.sub(r"[^A-Za-z0-9_.-]", "-", parts.netloc)
    existing = {d.name: d for d in NativeDatastore.list(workspace)}
    if name in existing and existing[name].url != root:
        name = f"{name}-{scheme}"
    if name in existing and existing[name].url == root:
        store = Datastore._of(existing[name])
    else:
        store = _register_url(workspace, name, root)
        say_once(
            f"web-datastore:{root}",
            f"URL paths are read through the datastore {name!r} ({root}), registered now",
        )
    path = parts.path.lstrip("/")
    if parts.query:
        path += "?" + parts.query
    return store, path


def _register_url(workspace: Workspace, name: str, root: str) -> Datastore:
    return Datastore._of(NativeDatastore.register(workspace, name, root, check=False))


__all__ = ["AzureBlobDatastore", "AzureDataLakeGen2Datastore", "Datastore"]
