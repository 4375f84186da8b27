"""``azureml.data.dataset_factory``: ``Dataset.File`` / ``Dataset.Tabular`` with v1's
argument order (``path, validate=True, ...``), over the native factories.

``path`` takes what v1 takes: ``(datastore, 'path/**')``, a list of one such pair, a
``DataPath``, or an http(s)/wasbs URL (read through a datastore for its host). Options
that would change what the rows are and that the native reader lacks
(``include_path``, ``partition_format``, ``set_column_types``, other encodings) say
they are not available rather than being ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jupyter_mlws.azureml._notice import say_once
from jupyter_mlws.azureml.data.abstract_dataset import (
    DatasetNotFoundError,
    FileDataset,
    TabularDataset,
    registered_datasets,
    v1_dataset,
)
from jupyter_mlws.azureml.data.azure_storage_datastore import Datastore, datastore_for_url
from jupyter_mlws.azureml.data.datapath import DataPath
from jupyter_mlws.azureml.exceptions import NotAvailableError, UserErrorException
from jupyter_mlws.data import dataset as native
from jupyter_mlws.data.datastore import Datastore as NativeDatastore
from jupyter_mlws.exceptions import ResourceNotFoundError

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Workspace

FEATURE = "datasets"


class DataType:
    """v1's column types for ``set_column_types``: not mapped (types are inferred)."""

    @staticmethod
    def _unavailable(*args: Any, **kwargs: Any) -> Any:
        raise NotAvailableError(f"{FEATURE}: set_column_types (DataType)")

    to_bool = to_datetime = to_float = to_long = to_string = from_string = _unavailable


def datastore_and_pattern(path: Any) -> tuple[NativeDatastore, str]:
    """v1's ``path`` forms → the native ``(datastore, pattern)``."""
    if isinstance(path, (list, tuple)) and not _is_pair(path):
        items = list(path)
        if len(items) != 1:
            raise NotAvailableError(
                f"{FEATURE}: several paths in one dataset (give one pattern, e.g. 'folder/**')"
            )
        path = items[0]
    if isinstance(path, DataPath):
        return path.datastore, path.path_on_datastore or ""
    if _is_pair(path):
        store, pattern = path
        return Datastore._of(store), str(pattern or "")
    if isinstance(path, str) and "://" in path:
        raise _NeedsWorkspace(path)
    raise UserErrorException(
        f"path {path!r}: give (datastore, 'path'), [(datastore, 'path/**')], a DataPath or "
        "an http(s) URL"
    )


class _NeedsWorkspace(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


def _is_pair(path: Any) -> bool:
    return isinstance(path, tuple) and len(path) == 2 and isinstance(path[0], NativeDatastore)


def _resolve(path: Any) -> tuple[NativeDatastore, str]:
    try:
        return datastore_and_pattern(path)
    except _NeedsWorkspace as need:
        from jupyter_mlws.azureml.core.workspace import Workspace

        return datastore_for_url(Workspace(), need.url)


def _refuse(option: str, given: bool) -> None:
    if given:
        raise NotAvailableError(f"{FEATURE}: {option}")


class FileDatasetFactory:
    @staticmethod
    def from_files(
        path: Any, validate: bool = True, partition_format: str | None = None, is_file: bool = False
    ) -> FileDataset:
        _refuse("partition_format (columns from file paths)", partition_format is not None)
        store, pattern = _resolve(path)
        ds = FileDataset(Datastore._of(store), pattern)
        if validate:
            ds.files  # noqa: B018  (a path matching nothing fails here, as in v1)
        return ds

    @staticmethod
    def upload_directory(
        src_dir: Any,
        target: Any,
        pattern: str | None = None,
        overwrite: bool = False,
        show_progress: bool = True,
    ) -> FileDataset:
        store, prefix = _resolve(target)
        Datastore._of(store).upload(
            src_dir, prefix, overwrite=overwrite, show_progress=show_progress
        )
        return FileDatasetFactory.from_files((store, f"{prefix.rstrip('/')}/{pattern or '**'}"))


class TabularDatasetFactory:
    @staticmethod
    def from_delimited_files(
        path: Any,
        validate: bool = True,
        include_path: bool = False,
        infer_column_types: bool = True,
        set_column_types: Any = None,
        separator: str = ",",
        header: Any = True,
        partition_format: str | None = None,
        support_multi_line: bool = False,
        empty_as_string: bool = False,
        encoding: str = "utf8",
    ) -> TabularDataset:
        _refuse("include_path (a column of file paths)", include_path)
        _refuse("set_column_types (DataType)", set_column_types is not None)
        _refuse("partition_format (columns from file paths)", partition_format is not None)
        _refuse(
            f"encoding={encoding!r} (files are read as UTF-8)", encoding not in ("utf8", "utf-8")
        )
        if not infer_column_types:
            say_once(
                "infer_column_types", "infer_column_types=False: column types are still inferred"
            )
        store, pattern = _resolve(path)
        ds = native.TabularDatasetFactory.from_delimited_files(
            (store, pattern), separator=separator, header=bool(header), validate=validate
        )
        return v1_dataset(ds)  # type: ignore[return-value]

    @staticmethod
    def from_parquet_files(
        path: Any,
        validate: bool = True,
        include_path: bool = False,
        set_column_types: Any = None,
        partition_format: str | None = None,
    ) -> TabularDataset:
        _refuse("include_path (a column of file paths)", include_path)
        _refuse("set_column_types (DataType)", set_column_types is not None)
        _refuse("partition_format (columns from file paths)", partition_format is not None)
        store, pattern = _resolve(path)
        ds = native.TabularDatasetFactory.from_parquet_files((store, pattern), validate=validate)
        return v1_dataset(ds)  # type: ignore[return-value]

    @staticmethod
    def from_json_lines_files(*args: Any, **kwargs: Any) -> TabularDataset:
        raise NotAvailableError(f"{FEATURE}: JSON Lines files (from_json_lines_files)")

    @staticmethod
    def from_sql_query(*args: Any, **kwargs: Any) -> TabularDataset:
        raise NotAvailableError(f"{FEATURE}: SQL queries (from_sql_query)")

    @staticmethod
    def register_pandas_dataframe(
        dataframe: Any,
        target: Any,
        name: str,
        description: str | None = None,
        tags: dict[str, str] | None = None,
        show_progress: bool = True,
    ) -> TabularDataset:
        """The frame as a Parquet file under ``target`` on a datastore, registered."""
        import tempfile
        from pathlib import Path

        store, prefix = _resolve(target)
        with tempfile.TemporaryDirectory() as tmp:
            local = Path(tmp) / f"{name.replace('/', '_')}.parquet"
            dataframe.to_parquet(local, index=False)
            Datastore._of(store).upload_files(
                [local], target_path=prefix, overwrite=True, show_progress=show_progress
            )
        pattern = f"{prefix.rstrip('/')}/{local.name}".lstrip("/")
        ds = TabularDatasetFactory.from_parquet_files((store, pattern))
        return ds.register(store.workspace, name, description, tags, create_new_version=True)


class Dataset:
    """``azureml.core.Dataset``: ``Dataset.File``, ``Dataset.Tabular`` and lookups."""

    File = FileDatasetFactory
    Tabular = TabularDatasetFactory

    @staticmethod
    def get_by_name(
        workspace: Workspace, name: str, version: int | str = "latest", **kwargs: Any
    ) -> FileDataset | TabularDataset:
        if not isinstance(name, str) or not name:
            raise UserErrorException("Dataset.get_by_name needs the dataset's name")
        try:
            return v1_dataset(native.Dataset.get_by_name(workspace, name, version))
        except ResourceNotFoundError as exc:
            raise DatasetNotFoundError(str(exc)) from None

    @staticmethod
    def get_by_id(workspace: Workspace, id: str, **kwargs: Any) -> FileDataset | TabularDataset:
        """``id`` is ``name:version`` (what ``dataset.id`` and a direct run input give)."""
        name, sep, version = str(id).rpartition(":")
        if not sep or not name:
            raise UserErrorException(f"dataset id {id!r} must be 'name:version' (dataset.id)")
        return Dataset.get_by_name(workspace, name, version)

    @staticmethod
    def get(
        workspace: Workspace, name: str | None = None, id: str | None = None
    ) -> FileDataset | TabularDataset:
        if id is not None:
            return Dataset.get_by_id(workspace, id)
        return Dataset.get_by_name(workspace, name or "")

    @staticmethod
    def get_all(workspace: Workspace) -> dict[str, FileDataset | TabularDataset]:
        return registered_datasets(workspace)

    @staticmethod
    def list(workspace: Workspace) -> list[FileDataset | TabularDataset]:
        return list(registered_datasets(workspace).values())


__all__ = ["DataType", "Dataset", "FileDatasetFactory", "TabularDatasetFactory"]
