"""``azureml.data.OutputFileDatasetConfig``: a run's output folder, uploaded to
``destination=(datastore, 'path/{run-id}')`` when the run succeeds and registered with
``register_on_complete(name)`` (the native run outputs, v1's names)."""

from __future__ import annotations

from typing import Any

from jupyter_mlws.azureml._notice import say_once
from jupyter_mlws.azureml.exceptions import NotAvailableError
from jupyter_mlws.data.run_io import OutputFileDatasetConfig as NativeOutput


class OutputFileDatasetConfig(NativeOutput):
    def __init__(
        self,
        name: str | None = None,
        destination: Any = None,
        source: str | None = None,
        partition_format: str | None = None,
    ) -> None:
        if partition_format is not None:
            raise NotAvailableError("datasets: partition_format of an output")
        if destination is not None and not isinstance(destination, tuple):
            destination = tuple(destination)  # a DataPath
        super().__init__(name, destination)
        if source is not None:
            say_once(
                "output.source",
                "OutputFileDatasetConfig(source=): the run writes to the path it is given",
            )

    def register_on_complete(
        self, name: str, description: str | None = None, tags: dict[str, str] | None = None
    ) -> OutputFileDatasetConfig:
        super().register_on_complete(name, description)
        return self

    def as_upload(
        self, overwrite: bool = False, source_globs: Any = None
    ) -> OutputFileDatasetConfig:
        return self

    def as_mount(self, disable_metadata_cache: bool = False) -> OutputFileDatasetConfig:
        say_once(
            "output.mount",
            "OutputFileDatasetConfig.as_mount(): written to a local folder, uploaded when "
            "the run succeeds",
        )
        return self

    def read_delimited_files(self, *args: Any, **kwargs: Any) -> Any:
        raise NotAvailableError("datasets: reading an output as a tabular dataset")

    def read_parquet_files(self, *args: Any, **kwargs: Any) -> Any:
        raise NotAvailableError("datasets: reading an output as a tabular dataset")


__all__ = ["OutputFileDatasetConfig"]
