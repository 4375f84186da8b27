"""v1's ``FileDataset`` / ``TabularDataset`` and the ``Dataset`` entry point, as the
native datasets with v1's signatures.

The differences from the native SDK kept here: a dataset's ``id`` is its reference
``name:version``; ``mount()`` returns v1's mount context (a context manager with
``mount_point``, ``start()`` and ``stop()``) over the native read-only view;
``as_named_input(name)`` defaults to v1's *direct* mode (the script gets the dataset
itself from ``run.input_datasets``, nothing is copied); and an unregistered dataset
used as a run input is registered under an anonymous name, as v1 saved it
anonymously, so the run can record which version it read.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from jupyter_mlws.azureml._notice import say_once
from jupyter_mlws.azureml.data.azure_storage_datastore import Datastore
from jupyter_mlws.azureml.exceptions import NotAvailableError, UserErrorException
from jupyter_mlws.data import dataset as native
from jupyter_mlws.data.materialize import mount as native_mount
from jupyter_mlws.entities import DatasetVersion
from jupyter_mlws.exceptions import ResourceNotFoundError

if TYPE_CHECKING:
    from pathlib import Path

    from jupyter_mlws.azureml.data.dataset_consumption_config import DatasetConsumptionConfig
    from jupyter_mlws.tracking import Workspace

FEATURE = "datasets"
# Unregistered datasets that a run used (v1 "saved" them without a name).
ANONYMOUS_PREFIX = "_v1-anonymous-"


class DatasetNotFoundError(UserErrorException, ResourceNotFoundError):
    """A v1 ``UserErrorException`` that is also the native not-found error."""


class MountContext:
    """v1's mount context: ``with ds.mount() as mc: mc.mount_point``, or start/stop."""

    def __init__(self, dataset: native.AbstractDataset, mount_point: str | None) -> None:
        self._dataset = dataset
        self._requested = mount_point
        self._path: Path | None = None

    @property
    def mount_point(self) -> str:
        if self._path is None:
            self.start()
        return str(self._path)

    def start(self) -> None:
        from pathlib import Path

        say_once(
            "dataset.mount",
            "mount(): a read-only local view of the dataset's files (no FUSE here: the "
            "data's own folder, or a local cache filled once)",
        )
        self._path = native_mount(self._dataset, Path(self._requested) if self._requested else None)

    def stop(self) -> None:
        """A view made at a requested mount point is a link: it is removed."""
        if self._path is not None and self._requested and self._path.is_symlink():
            self._path.unlink()
        self._path = None

    def __enter__(self) -> MountContext:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _V1:
    """What v1 datasets add to the native ones."""

    version_info: DatasetVersion | None
    workspace: Workspace
    datastore: Any
    pattern: str
    reader: dict[str, Any]

    @property
    def id(self) -> str | None:
        info = self.version_info
        return info.ref if info is not None else None

    @property
    def description(self) -> str | None:
        return self.version_info.description if self.version_info else None

    @property
    def tags(self) -> dict[str, str]:
        return {}

    @property
    def data_changed_time(self) -> Any:
        return None

    def register(
        self,
        workspace: Workspace,
        name: str,
        description: str | None = None,
        tags: dict[str, str] | None = None,
        create_new_version: bool = False,
    ) -> Any:
        if tags:
            say_once(
                "dataset.tags", "dataset tags are not kept here (name, version, description are)"
            )
        return native.AbstractDataset.register(
            self,  # type: ignore[arg-type]
            workspace,
            name,
            description=description,
            create_new_version=create_new_version,
        )

    def mount(self, mount_point: str | None = None, **kwargs: Any) -> MountContext:
        return MountContext(self, None if mount_point is None else os.fspath(mount_point))  # type: ignore[arg-type]

    def download(
        self, target_path: Any = None, overwrite: bool = False, ignore_not_found: bool = False
    ) -> list[str]:
        return native.AbstractDataset.download(self, target_path, overwrite=overwrite)  # type: ignore[arg-type]

    def as_named_input(self, name: str) -> DatasetConsumptionConfig:
        from jupyter_mlws.azureml.data.dataset_consumption_config import DatasetConsumptionConfig

        return DatasetConsumptionConfig(name, self)

    def as_hdfs(self) -> Any:
        raise NotAvailableError(f"{FEATURE}: HDFS inputs (as_hdfs); use as_mount()")

    def _anonymous_name(self) -> str:
        key = json.dumps(
            [type(self).__name__, self.datastore.name, self.pattern, self.reader], sort_keys=True
        )
        return ANONYMOUS_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:16]

    def _registered(self) -> Any:
        """This dataset as a version (anonymously registered if it has no name)."""
        if self.version_info is not None:
            return self
        return native.AbstractDataset.register(
            self,  # type: ignore[arg-type]
            self.workspace,
            self._anonymous_name(),
            description="an unregistered dataset used by a run",
            create_new_version=True,
        )


class FileDataset(_V1, native.FileDataset):  # type: ignore[misc]
    def as_mount(self, path_on_compute: str | None = None) -> DatasetConsumptionConfig:
        return self.as_named_input(_input_name(self)).as_mount(path_on_compute)

    def as_download(self, path_on_compute: str | None = None) -> DatasetConsumptionConfig:
        return self.as_named_input(_input_name(self)).as_download(path_on_compute)


class TabularDataset(_V1, native.TabularDataset):  # type: ignore[misc]
    def to_pandas_dataframe(
        self, on_error: str = "null", out_of_range_datetime: str = "null"
    ) -> Any:
        return native.TabularDataset.to_pandas_dataframe(self)

    def _with(self, step: dict[str, Any]) -> TabularDataset:
        reader = {**self.reader, "steps": [*self.reader.get("steps", []), step]}
        return TabularDataset(self.datastore, self.pattern, reader, None, self._files)

    def keep_columns(self, columns: Any, validate: bool = False) -> TabularDataset:
        raise NotAvailableError(f"{FEATURE}: column selection (keep_columns)")

    def drop_columns(self, columns: Any) -> TabularDataset:
        raise NotAvailableError(f"{FEATURE}: column selection (drop_columns)")


def _input_name(ds: _V1) -> str:
    """v1 names an input made by ``as_mount()`` itself; here after the dataset."""
    base = (ds.version_info.name if ds.version_info else None) or ds._anonymous_name()
    clean = "".join(c if c.isalnum() else "_" for c in base).strip("_") or "input"
    return clean if clean[0].isalpha() else f"input_{clean}"


def v1_dataset(ds: native.AbstractDataset) -> FileDataset | TabularDataset:
    """The v1 view of a native dataset (same data, same version)."""
    if isinstance(ds, (FileDataset, TabularDataset)):
        return ds
    cls = TabularDataset if isinstance(ds, native.TabularDataset) else FileDataset
    return cls(Datastore._of(ds.datastore), ds.pattern, ds.reader, ds.version_info, ds._files)


def registered_datasets(workspace: Workspace) -> dict[str, FileDataset | TabularDataset]:
    """``ws.datasets``: the latest version of each named dataset."""
    found: dict[str, FileDataset | TabularDataset] = {}
    for info in native.Dataset.list(workspace):
        if info.name.startswith(ANONYMOUS_PREFIX):
            continue
        found[info.name] = v1_dataset(native.from_version(workspace, info))
    return found


def iter_run_datasets(workspace: Workspace, run_id: str, direction: str) -> Iterator[Any]:
    """(link, v1 dataset) for each dataset version the run read or wrote."""
    for link in native.run_dataset_links(workspace, run_id):
        if link.direction == direction:
            dataset = native.Dataset.get_by_name(workspace, link.dataset, link.version)
            yield link, v1_dataset(dataset)


def input_datasets(run: Any) -> dict[str, Any]:
    """``run.input_datasets`` inside a submitted run: the native name → path map, with
    each direct input (its value is the dataset's ``name:version``) as the dataset."""
    from jupyter_mlws.tracking.run_data import ENV_INPUT_DATASETS

    if os.environ.get("MLWS_RUN_ID") != run.id:
        return {}
    entries: dict[str, Any] = json.loads(os.environ.get(ENV_INPUT_DATASETS) or "{}")
    found: dict[str, Any] = {}
    for name, entry in entries.items():
        if entry.get("mode") == "direct":
            dataset = native.Dataset.get_by_name(run.workspace, entry["dataset"], entry["version"])
            found[name] = v1_dataset(dataset)
        else:
            found[name] = str(entry["path"])
    return found
