"""``azureml.data.datapath``: ``DataPath(datastore, path_on_datastore)``, a path that
``Dataset.File.from_files`` and ``Dataset.Tabular.from_*`` take."""

from __future__ import annotations

from typing import Any

from jupyter_mlws.azureml.exceptions import NotAvailableError, UserErrorException
from jupyter_mlws.data.datastore import Datastore as NativeDatastore


class DataPath:
    def __init__(
        self,
        datastore: NativeDatastore | None = None,
        path_on_datastore: str | None = None,
        name: str | None = None,
    ) -> None:
        if not isinstance(datastore, NativeDatastore):
            raise UserErrorException("DataPath needs a datastore (ws.get_default_datastore())")
        self.datastore = datastore
        self.path_on_datastore = path_on_datastore or ""
        self.name = name

    def __iter__(self) -> Any:  # (datastore, path), as the native SDK takes it
        return iter((self.datastore, self.path_on_datastore))

    def create_data_reference(self, *args: Any, **kwargs: Any) -> Any:
        raise NotAvailableError("datasets: data references (DataPath.create_data_reference)")

    def __repr__(self) -> str:
        return f"DataPath({self.datastore.name!r}, {self.path_on_datastore!r})"


class DataPathComputeBinding:
    """Recorded as v1 code builds it; datasets' ``as_mount()`` / ``as_download()`` are
    the way to bind data here."""

    def __init__(
        self,
        mode: str = "mount",
        path_on_compute: str | None = None,
        overwrite: bool = False,
    ) -> None:
        self.mode = mode
        self.path_on_compute = path_on_compute
        self.overwrite = overwrite


__all__ = ["DataPath", "DataPathComputeBinding"]
