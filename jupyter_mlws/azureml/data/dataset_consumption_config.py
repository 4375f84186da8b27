"""``azureml.data.dataset_consumption_config``: a dataset as a named run input.

v1's modes: ``direct`` (the default of ``as_named_input``: ``run.input_datasets[name]``
is the dataset, an argument becomes its id), ``mount`` and ``download`` (a local path).
An unregistered dataset is registered anonymously when the run is submitted.
"""

from __future__ import annotations

from typing import Any

from jupyter_mlws.azureml._notice import say_once
from jupyter_mlws.data.run_io import DatasetConsumptionConfig as NativeConsumption

DIRECT = "direct"


class DatasetConsumptionConfig(NativeConsumption):
    def __init__(
        self, name: str, dataset: Any, mode: str = DIRECT, path_on_compute: str | None = None
    ) -> None:
        super().__init__(name, dataset, mode)
        self.path_on_compute = path_on_compute
        if path_on_compute is not None:
            say_once(
                "path_on_compute",
                "path_on_compute: inputs are placed in the run's own folder; the script "
                "gets the path from its argument or run.input_datasets",
            )
        self._binding: dict[str, Any] | None = None

    def as_download(self, path_on_compute: str | None = None) -> DatasetConsumptionConfig:
        return DatasetConsumptionConfig(self.name, self.dataset, "download", path_on_compute)

    def as_mount(self, path_on_compute: str | None = None) -> DatasetConsumptionConfig:
        return DatasetConsumptionConfig(self.name, self.dataset, "mount", path_on_compute)

    def mlws_binding(self) -> dict[str, Any]:
        if self._binding is None:  # the config is bound several times per submit
            registered = self.dataset._registered()  # type: ignore[attr-defined]
            self._binding = NativeConsumption(self.name, registered, self.mode).mlws_binding()
        return self._binding


__all__ = ["DatasetConsumptionConfig"]
