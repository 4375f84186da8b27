"""Datasets as run inputs and outputs.

``ds.as_named_input("train").as_download()`` (or ``.as_mount()``) and
``OutputFileDatasetConfig(destination=(store, "out/{run-id}")).register_on_complete("x")``
go into a ``ScriptRunConfig``'s arguments or a ``NotebookRunConfig``'s parameters. At
submit time they become a reference in the run's definition and a token in its argv;
in Preparing the runner materializes each input (the run records the version it read)
and makes each output folder; when the run succeeds, outputs are uploaded and
registered as a version written by the run.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.data.datastore import Datastore
from jupyter_mlws.entities import validate_name
from jupyter_mlws.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from jupyter_mlws.data.dataset import AbstractDataset
    from jupyter_mlws.tracking import Workspace

# "direct": nothing is copied; the run gets the dataset's reference (Azure ML v1's
# default for ``as_named_input``: the script reads the dataset through the SDK).
MODES = ("download", "mount", "direct")
RUN_ID_PLACEHOLDER = "{run-id}"


class DatasetConsumptionConfig:
    def __init__(self, name: str, dataset: AbstractDataset, mode: str = "mount") -> None:
        if not isinstance(name, str) or not name.isidentifier():
            raise InvalidParameterError(f"input name {name!r} must be an identifier")
        if mode not in MODES:
            raise InvalidParameterError(f"input mode {mode!r} is not one of {', '.join(MODES)}")
        self.name = name
        self.dataset = dataset
        self.mode = mode

    def as_download(self, path_on_compute: str | None = None) -> DatasetConsumptionConfig:
        return DatasetConsumptionConfig(self.name, self.dataset, "download")

    def as_mount(self, path_on_compute: str | None = None) -> DatasetConsumptionConfig:
        return DatasetConsumptionConfig(self.name, self.dataset, "mount")

    def mlws_binding(self) -> dict[str, Any]:
        info = self.dataset.version_info
        if info is None:
            raise InvalidParameterError(
                f"input {self.name!r}: register the dataset first "
                "(dataset.register(ws, name)) so the run can record which version it read"
            )
        if info.kind != "file" and self.mode == "mount":
            pass  # a tabular dataset's files are mounted just the same
        return {
            "kind": "input",
            "token": f"{{mlws-input:{self.name}}}",
            "name": self.name,
            "dataset": info.name,
            "version": info.version,
            "mode": self.mode,
        }

    def __repr__(self) -> str:
        return f"DatasetConsumptionConfig({self.name!r}, {self.dataset!r}, mode={self.mode!r})"


class OutputFileDatasetConfig:
    def __init__(
        self, name: str | None = None, destination: tuple[Datastore, str] | None = None
    ) -> None:
        self.name = name or "output"
        if not self.name.isidentifier():
            raise InvalidParameterError(f"output name {self.name!r} must be an identifier")
        if destination is not None and not (
            isinstance(destination, tuple)
            and len(destination) == 2
            and isinstance(destination[0], Datastore)
        ):
            raise InvalidParameterError("destination must be (datastore, 'path/{run-id}')")
        self.destination = destination
        self.register_as: str | None = None
        self.description: str | None = None

    def register_on_complete(
        self, name: str, description: str | None = None
    ) -> OutputFileDatasetConfig:
        validate_name("dataset", name)
        self.register_as = name
        self.description = description
        return self

    def as_upload(self, overwrite: bool = False) -> OutputFileDatasetConfig:
        return self

    def mlws_binding(self) -> dict[str, Any]:
        store, path = self.destination or (None, f"outputs/{RUN_ID_PLACEHOLDER}/{self.name}")
        return {
            "kind": "output",
            "token": f"{{mlws-output:{self.name}}}",
            "name": self.name,
            "datastore": store.name if store else None,
            "path": path,
            "register": self.register_as,
            "description": self.description,
        }


def materialize_input(
    ws: Workspace,
    run_id: str,
    binding: dict[str, Any],
    workdir: Path,
    log: Callable[[str], None],
) -> Path | None:
    """The input's local path; None for a ``direct`` input (the run reads it by name)."""
    import warnings

    from jupyter_mlws.data.dataset import Dataset, DatasetChangedWarning
    from jupyter_mlws.data.materialize import download, mount

    ds = Dataset.get_by_name(ws, binding["dataset"], binding["version"])
    name = binding["name"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DatasetChangedWarning)
        _, change = ds.current_files()
    for warning in caught:
        log(f"warning: {warning.message}")
    path: Path | None
    if binding["mode"] == "direct":
        path = None
    elif binding["mode"] == "download":
        path = workdir / "inputs" / name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DatasetChangedWarning)
            download(ds, path, overwrite=True)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DatasetChangedWarning)
            path = mount(ds)
    info = ds.version_info
    assert info is not None
    ws.store.link_run_dataset(
        run_id,
        info.name,
        info.version,
        direction="input",
        name=name,
        changed=change is not None,
    )
    where = f" at {path}" if path is not None else ""
    log(f"input {name} = dataset {ds.ref} ({binding['mode']}){where}")
    return path


def prepare_output(
    ws: Workspace,
    run_id: str,
    binding: dict[str, Any],
    workdir: Path,
    log: Callable[[str], None],
) -> tuple[Path, Callable[[], None]]:
    local = workdir / "outputs-data" / binding["name"]
    if local.exists():
        shutil.rmtree(local)
    local.mkdir(parents=True)
    store = (
        Datastore.get(ws, binding["datastore"]) if binding["datastore"] else Datastore.default(ws)
    )
    target = str(binding["path"]).replace(RUN_ID_PLACEHOLDER, run_id)

    def upload_and_register() -> None:
        from jupyter_mlws.data.dataset import Dataset

        if not any(p.is_file() for p in local.rglob("*")):
            log(f"output {binding['name']} is empty: nothing uploaded")
            return
        store.upload(local, target, overwrite=True)
        log(f"output {binding['name']} uploaded to {store.name}:{target}")
        if binding.get("register"):
            ds = Dataset.File.from_files(path=(store, target))
            version = ds.register(
                ws,
                binding["register"],
                description=binding.get("description"),
                create_new_version=True,
                run_id=run_id,
            )
            info = version.version_info
            assert info is not None
            ws.store.link_run_dataset(
                run_id, info.name, info.version, direction="output", name=binding["name"]
            )
            log(f"output {binding['name']} registered as dataset {info.ref}")

    return local, upload_and_register
