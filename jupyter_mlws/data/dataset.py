"""Datasets: versioned references to data where it lives (no copy).

``Dataset.File.from_files(path=(datastore, "images/**"))`` and
``Dataset.Tabular.from_delimited_files / from_parquet_files`` list what the pattern
matches now; ``register(ws, name)`` records it as an immutable version (datastore +
pattern + reader + fingerprint). The same data registered again is the same version.
A version whose files changed since is reported when used: reads see the files as they
are now, and a warning (and, in a run, the run's lineage) says so.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.data.datastore import Datastore
from jupyter_mlws.data.fingerprint import describe_change, fingerprint, list_matches
from jupyter_mlws.entities import DatasetFile, DatasetVersion, RunDatasetLink, validate_name
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError

if TYPE_CHECKING:
    import pandas

    from jupyter_mlws.data.run_io import DatasetConsumptionConfig
    from jupyter_mlws.tracking import Workspace

PathArg = Any  # (datastore, pattern) | [(datastore, pattern)] | "pattern" on the default


class DatasetChangedWarning(UserWarning):
    """A registered version's files changed after it was registered."""


class AbstractDataset:
    kind = ""

    def __init__(
        self,
        datastore: Datastore,
        pattern: str,
        reader: dict[str, Any] | None = None,
        version: DatasetVersion | None = None,
        files: list[DatasetFile] | None = None,
    ) -> None:
        self.datastore = datastore
        self.workspace = datastore.workspace
        self.pattern = pattern
        self.reader = dict(reader or {})
        self.version_info = version
        self._files = files

    # ---- identity -----------------------------------------------------------------------
    @property
    def name(self) -> str | None:
        return self.version_info.name if self.version_info else None

    @property
    def version(self) -> int | None:
        return self.version_info.version if self.version_info else None

    @property
    def ref(self) -> str | None:
        return self.version_info.ref if self.version_info else None

    def __repr__(self) -> str:
        where = f"{self.datastore.name}:{self.pattern}"
        return f"{type(self).__name__}({self.ref or 'unregistered'}, {where!r})"

    def to_dict(self) -> dict[str, Any]:
        if self.version_info:
            return self.version_info.to_dict()
        return {"kind": self.kind, "datastore": self.datastore.name, "pattern": self.pattern}

    # ---- what it matches ------------------------------------------------------------------
    def _what(self) -> str:
        label = f"dataset {self.ref}" if self.ref else "dataset"
        return f"{label} on datastore {self.datastore.name!r}"

    def list_now(self) -> list[DatasetFile]:
        fs, root = self.datastore.filesystem()
        return list_matches(fs, root, self.pattern, self._what())

    @property
    def files(self) -> list[DatasetFile]:
        """The files of this version as registered (or as first listed, unregistered)."""
        if self._files is None:
            if self.version_info is not None:
                self._files = self.workspace.store.dataset_files(
                    self.version_info.name, self.version_info.version
                )
            else:
                self._files = self.list_now()
        return self._files

    @property
    def fingerprint(self) -> str:
        if self.version_info is not None:
            return self.version_info.fingerprint
        return fingerprint(self.files)

    def current_files(self) -> tuple[list[DatasetFile], str | None]:
        """The files as they are now, and how they differ from this version (or None)."""
        try:
            now = self.list_now()
        except ResourceNotFoundError:
            now = []
        if self.version_info is None or fingerprint(now) == self.version_info.fingerprint:
            return now, None
        change = describe_change(self.files, now)
        if not now:
            raise ResourceNotFoundError(
                f"{self._what()}: every file of version {self.version} is gone ({change})"
            )
        warnings.warn(
            f"dataset {self.ref} changed since it was registered ({change}); reading the "
            "files as they are now",
            DatasetChangedWarning,
            stacklevel=3,
        )
        return now, change

    def base_path(self) -> str:
        from jupyter_mlws.data.fingerprint import split_pattern

        base, _ = split_pattern(self.pattern)
        return self.datastore.full_path(base)

    # ---- registration -----------------------------------------------------------------
    def register(
        self,
        workspace: Workspace | None = None,
        name: str | None = None,
        description: str | None = None,
        tags: dict[str, str] | None = None,
        create_new_version: bool = False,
        run_id: str | None = None,
    ) -> AbstractDataset:
        """This data as a version of ``name``: the existing version if the data is the
        same, else a new one (refused unless ``create_new_version``, as in Azure ML)."""
        if not name:
            raise InvalidParameterError("register needs a dataset name")
        validate_name("dataset", name)
        ws = workspace or self.workspace
        files = self.list_now()  # what matches *now*: that is what the version pins
        version, _ = ws.store.add_dataset_version(
            name,
            kind=self.kind,
            datastore=self.datastore.name,
            pattern=self.pattern,
            reader=self.reader,
            fingerprint=fingerprint(files),
            files=files,
            description=description,
            run_id=run_id,
            create_new_version=create_new_version,
        )
        return type(self)(self.datastore, self.pattern, self.reader, version, files)

    def lineage(self) -> dict[str, Any]:
        """Runs that wrote and read this version, models registered from those runs, and
        the endpoints serving those models."""
        if self.version_info is None:
            raise InvalidParameterError("register the dataset first: lineage is per version")
        return self.workspace.store.dataset_lineage(
            self.version_info.name, self.version_info.version
        )

    # ---- local copies (tabular datasets are files too) ---------------------------------
    def to_path(self) -> list[str]:
        """The files' paths relative to the dataset's folder, as ``/a/b.png``."""
        return ["/" + f.path for f in self.files]

    def download(
        self, target_path: str | os.PathLike[str] | None = None, overwrite: bool = False
    ) -> list[str]:
        from jupyter_mlws.data.materialize import download

        target = Path(target_path) if target_path else Path.cwd() / (self.name or "dataset")
        return [str(p) for p in download(self, target, overwrite=overwrite)]

    @contextmanager
    def mount(self, mount_point: str | os.PathLike[str] | None = None) -> Iterator[str]:
        """A read-only local view. Not FUSE: for a file:// datastore it is the data's own
        folder; for an object store, a local cache of the version filled on first mount
        and shared by every later mount of the same files (see README, Data)."""
        from jupyter_mlws.data.materialize import mount

        yield str(mount(self, Path(mount_point) if mount_point else None))

    # ---- run inputs -------------------------------------------------------------------
    def as_named_input(self, name: str) -> DatasetConsumptionConfig:
        from jupyter_mlws.data.run_io import DatasetConsumptionConfig

        return DatasetConsumptionConfig(name, self)


class FileDataset(AbstractDataset):
    kind = "file"


class TabularDataset(AbstractDataset):
    kind = "tabular"

    def to_pandas_dataframe(self) -> pandas.DataFrame:
        return self.to_arrow().to_pandas()

    def to_arrow(self) -> Any:
        from jupyter_mlws.data.tabular import read_table

        files, _ = self.current_files() if self.version_info else (self.files, None)
        return read_table(self, files)

    def take(self, count: int) -> TabularDataset:
        return self._with({"op": "take", "n": _count(count)})

    def skip(self, count: int) -> TabularDataset:
        return self._with({"op": "skip", "n": _count(count)})

    def random_split(
        self, percentage: float, seed: int | None = None
    ) -> tuple[TabularDataset, TabularDataset]:
        """Two disjoint datasets, about ``percentage`` of the rows in the first; the same
        seed always splits the same data the same way."""
        if not 0.0 < float(percentage) < 1.0:
            raise InvalidParameterError("random_split percentage must be between 0 and 1")
        seed = 0 if seed is None else int(seed)
        first = self._with({"op": "split", "p": float(percentage), "seed": seed, "part": 0})
        second = self._with({"op": "split", "p": float(percentage), "seed": seed, "part": 1})
        return first, second

    def _with(self, step: dict[str, Any]) -> TabularDataset:
        reader = {**self.reader, "steps": [*self.reader.get("steps", []), step]}
        return TabularDataset(self.datastore, self.pattern, reader, None, self._files)

    def get_profile(self) -> dict[str, Any]:
        """Rows, and per column its type, nulls, min and max: computed once per version."""
        from jupyter_mlws.data.tabular import profile

        if self.version_info is None:
            return profile(self.to_arrow())
        stored = self.workspace.store.dataset_profile(self.version_info.name, self.version)  # type: ignore[arg-type]
        if stored is not None:
            return stored
        result = profile(self.to_arrow())
        self.workspace.store.set_dataset_profile(
            self.version_info.name,
            self.version_info.version,
            result,
        )
        return self.workspace.store.dataset_profile(  # type: ignore[return-value]
            self.version_info.name, self.version_info.version
        )


def _count(n: int) -> int:
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise InvalidParameterError(f"row count must be a non-negative integer, got {n!r}")
    return n


def _datastore_and_pattern(path: PathArg, ws: Workspace | None) -> tuple[Datastore, str]:
    if isinstance(path, list):
        if len(path) != 1:
            raise InvalidParameterError("give one (datastore, pattern) path per dataset")
        path = path[0]
    if isinstance(path, tuple) and len(path) == 2 and isinstance(path[0], Datastore):
        return path[0], str(path[1])
    if isinstance(path, str) and ws is not None:
        return Datastore.default(ws), path
    raise InvalidParameterError(
        "path must be (datastore, 'pattern'), e.g. (ws.get_default_datastore(), 'images/**')"
    )


class FileDatasetFactory:
    @staticmethod
    def from_files(
        path: PathArg, validate: bool = True, workspace: Workspace | None = None
    ) -> FileDataset:
        datastore, pattern = _datastore_and_pattern(path, workspace)
        ds = FileDataset(datastore, pattern)
        if validate:
            ds.files  # noqa: B018  (a pattern matching nothing fails now, not later)
        return ds


class TabularDatasetFactory:
    @staticmethod
    def from_delimited_files(
        path: PathArg,
        separator: str = ",",
        header: bool = True,
        validate: bool = True,
        workspace: Workspace | None = None,
    ) -> TabularDataset:
        if not isinstance(separator, str) or len(separator) != 1:
            raise InvalidParameterError("separator must be one character")
        datastore, pattern = _datastore_and_pattern(path, workspace)
        reader = {"format": "csv", "separator": separator, "header": bool(header)}
        ds = TabularDataset(datastore, pattern, reader)
        if validate:
            ds.files  # noqa: B018
        return ds

    @staticmethod
    def from_parquet_files(
        path: PathArg, validate: bool = True, workspace: Workspace | None = None
    ) -> TabularDataset:
        datastore, pattern = _datastore_and_pattern(path, workspace)
        ds = TabularDataset(datastore, pattern, {"format": "parquet"})
        if validate:
            ds.files  # noqa: B018
        return ds


class Dataset:
    """Azure ML's entry point: ``Dataset.File``, ``Dataset.Tabular``, ``get_by_name``."""

    File = FileDatasetFactory
    Tabular = TabularDatasetFactory

    @staticmethod
    def get_by_name(
        workspace: Workspace, name: str, version: int | str = "latest"
    ) -> FileDataset | TabularDataset:
        number = None if version in ("latest", None) else _version_number(version)
        info = workspace.store.get_dataset_version(name, number)
        return from_version(workspace, info)

    @staticmethod
    def get(workspace: Workspace, ref: str) -> FileDataset | TabularDataset:
        """``NAME`` (latest) or ``NAME:VERSION``."""
        name, _, version = ref.partition(":")
        return Dataset.get_by_name(workspace, name, version or "latest")

    @staticmethod
    def list(workspace: Workspace, name: str | None = None) -> Sequence[DatasetVersion]:
        """The latest version of every dataset, or every version of ``name``."""
        return workspace.store.list_dataset_versions(name)


def _version_number(version: int | str) -> int:
    try:
        number = int(version)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"dataset version must be a number or 'latest', got {version!r}"
        ) from None
    if number < 1:
        raise InvalidParameterError("dataset versions count from 1")
    return number


def run_dataset_links(workspace: Workspace, run_id: str) -> Sequence[RunDatasetLink]:
    """The dataset versions run ``run_id`` read and wrote (its lineage)."""
    return workspace.store.run_datasets(run_id)


def from_version(workspace: Workspace, info: DatasetVersion) -> FileDataset | TabularDataset:
    datastore = Datastore.get(workspace, info.datastore)
    cls = TabularDataset if info.kind == "tabular" else FileDataset
    return cls(datastore, info.pattern, info.reader, info)
