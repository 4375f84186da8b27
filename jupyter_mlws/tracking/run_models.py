"""The models half of ``Run``: register a model from the run's files, with lineage.

Works while the run is still running, in the process that runs it: a path not yet
collected into the run's outputs is read from its working folder and uploaded to the
run first (Azure needed an explicit ``upload_file`` before ``register_model`` mid-run).
Anywhere else only files the run holds count: never a same-named local file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from jupyter_mlws.entities import FileEntry, ModelVersion
from jupyter_mlws.exceptions import ResourceNotFoundError
from jupyter_mlws.registry import ModelRegistry
from jupyter_mlws.tracking.run_files import clean_artifact_path

if TYPE_CHECKING:
    from jupyter_mlws.tracking.workspace import Workspace


class RunModels:
    id: str
    workspace: Workspace

    if TYPE_CHECKING:  # provided by RunFiles

        def upload_file(self, name: str, path_or_stream: Any) -> FileEntry: ...
        def upload_folder(self, name: str, path: str | os.PathLike[str]) -> list[FileEntry]: ...

        @property
        def working_dir(self) -> Path | None: ...

    def register_model(
        self,
        model_name: str,
        model_path: str = "outputs",
        *,
        tags: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        description: str | None = None,
        model_framework: str | None = None,
        model_framework_version: str | None = None,
        datasets: Iterable[str] | None = None,
    ) -> ModelVersion:
        """Register ``model_path`` (a file or folder of this run) as the next version."""
        root, files = self.model_files(model_path)
        return ModelRegistry(self.workspace.store, self.workspace.blobs).register(
            model_name,
            files=files,
            root=root,
            tags=tags,
            properties=properties,
            description=description,
            framework=model_framework,
            framework_version=model_framework_version,
            run_id=self.id,
            datasets=datasets,
        )

    def model_files(self, model_path: str) -> tuple[str, list[FileEntry]]:
        """The run's files under ``model_path``, renamed as the model will hold them.

        Only files the run holds: never a file of the same name in the current folder
        (that may be another run's). The one exception is the process executing the
        run, while it runs: there a path in its working folder is the run's own output,
        not collected yet, and is uploaded to the run first.
        """
        clean = clean_artifact_path(model_path.rstrip("/"))
        found = self._stored_files(clean)
        working = self.working_dir
        if not found and working is not None and (working / clean).exists():
            self._upload_local(working / clean, clean)
            found = self._stored_files(clean)
        if not found:
            raise ResourceNotFoundError(
                f"run {self.id} holds no file or folder {model_path!r} (upload it to the run "
                "first, or give the absolute path of a local file to register instead)"
            )
        root = PurePosixPath(clean).name
        return root, [
            FileEntry(root + e.path[len(clean) :], e.digest, e.size, e.mode) for e in found
        ]

    def _stored_files(self, clean: str) -> list[FileEntry]:
        entries = self.workspace.store.list_artifacts(self.id, clean)
        exact = [e for e in entries if e.path == clean]
        return exact or [e for e in entries if e.path.startswith(clean + "/")]

    def _upload_local(self, source: Path, clean: str) -> None:
        if source.is_dir():
            self.upload_folder(clean, source)
        else:
            self.upload_file(clean, source)
