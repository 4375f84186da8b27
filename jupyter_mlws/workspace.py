"""The public ``Workspace``: the tracking core plus the capabilities layered above it.

Azure users expect ``ws.compute_targets()``, ``ws.register_model()``, ``ws.deploy()``;
those live in capability packages that sit above tracking, so the facade that gathers
them sits above them too (lower layers use ``tracking.Workspace``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.compute.targets import get_target, list_targets
from jupyter_mlws.entities import EndpointRecord, ModelVersion
from jupyter_mlws.registry import ModelRegistry
from jupyter_mlws.tracking.run import Run
from jupyter_mlws.tracking.workspace import Workspace as TrackingWorkspace

if TYPE_CHECKING:
    from jupyter_mlws.data import Datastore, KeyVault
    from jupyter_mlws.serving import Endpoint

TagFilter = Mapping[str, str | None] | Iterable[str] | None


class Workspace(TrackingWorkspace):
    def compute_targets(self) -> list[dict[str, Any]]:
        """Every compute target: ``local`` (built in) and those created or attached."""
        return list_targets(self)

    def compute_target(self, name: str) -> Any:
        return get_target(self, name)

    # ---- model registry ---------------------------------------------------------------
    @property
    def model_registry(self) -> ModelRegistry:
        return ModelRegistry(self.store, self.blobs)

    def register_model(
        self,
        name: str,
        path: str | os.PathLike[str],
        tags: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        description: str | None = None,
        framework: str | None = None,
        run: Run | str | None = None,
        datasets: Iterable[str] | None = None,
        framework_version: str | None = None,
    ) -> ModelVersion:
        """A new version of ``name`` from a local file or folder; with ``run``, from one of
        that run's files (a relative path; an absolute one is a local file registered
        with the run's lineage). Versions count up from 1 per name."""
        options: dict[str, Any] = {
            "tags": tags,
            "properties": properties,
            "description": description,
            "framework": framework,
            "framework_version": framework_version,
            "datasets": datasets,
        }
        if run is None:
            return self.model_registry.register(name, path, **options)
        run = run if isinstance(run, Run) else Run(self, self.store.resolve_run_id(run))
        if Path(path).is_absolute():  # a local file or folder, with the run's lineage
            return self.model_registry.register(name, path, run_id=run.id, **options)
        # a path of the run: never a same-named file of the current folder
        root, files = run.model_files(os.fspath(path))
        return self.model_registry.register(name, files=files, root=root, run_id=run.id, **options)

    def model(self, ref: str, version: int | None = None, alias: str | None = None) -> ModelVersion:
        """``ws.model("m")`` (latest), ``ws.model("m:3")``, ``ws.model("m@production")``."""
        return self.model_registry.get(ref, version, alias)

    def models(
        self,
        name: str | None = None,
        tags: TagFilter = None,
        properties: TagFilter = None,
        run_id: str | None = None,
        latest: bool = False,
    ) -> list[ModelVersion]:
        return self.model_registry.search(
            name, tags=tags, properties=properties, run_id=run_id, latest=latest
        )

    def set_model_alias(self, ref: str | ModelVersion, alias: str) -> ModelVersion:
        return self.model_registry.set_alias(ref, alias)

    def download_model(
        self,
        ref: str | ModelVersion,
        target_dir: str | os.PathLike[str] = ".",
        exist_ok: bool = False,
    ) -> Path:
        return self.model_registry.download(ref, target_dir, exist_ok=exist_ok)

    def delete_model(self, ref: str | ModelVersion) -> ModelVersion:
        """Delete one version; refused while an endpoint serves it."""
        return self.model_registry.delete(ref)

    # ---- endpoints --------------------------------------------------------------------
    def deploy(
        self,
        name: str,
        models: Sequence[str | ModelVersion] | str | ModelVersion,
        entry_script: str = "score.py",
        source_dir: str | os.PathLike[str] = ".",
        workers: int = 1,
        port: int | None = None,
        auth: str = "key",
        bind: str = "127.0.0.1",
        timeout_s: float = 60.0,
        max_body_bytes: int = 10 * 1024 * 1024,
        wait_s: float = 120.0,
        contract: str = "native",
        threads: int = 4,
        max_stuck_threads: int = 8,
        environment: Any = None,
        log_max_bytes: int = 10 * 1024 * 1024,
        log_backups: int = 5,
        collect_data: bool = False,
        sampling_rate: float = 1.0,
        collect_queue_size: int = 10_000,
    ) -> Endpoint:
        """Start a scoring service for ``models`` with ``score.py``; returns once it answers
        (or raises ``EndpointStartError`` with ``init()``'s traceback). ``collect_data``
        writes the inputs and outputs of ``sampling_rate`` of the requests to the default
        datastore (``Endpoint.collected_data()``)."""
        from jupyter_mlws.serving import Deployment, Endpoint, collection, lifecycle
        from jupyter_mlws.serving.errors import DataCollectionError

        collecting = None
        if collect_data:
            collecting = collection.for_datastore(
                self.get_default_datastore(), sampling_rate, queue_size=collect_queue_size
            )
        elif sampling_rate != 1.0:
            collection.check_rate(sampling_rate)
            raise DataCollectionError("sampling_rate needs collect_data=True")

        spec = Deployment(
            models=[models] if isinstance(models, (str, ModelVersion)) else list(models),
            entry_script=entry_script,
            source_dir=source_dir,
            workers=workers,
            port=port,
            auth=auth,
            bind=bind,
            timeout_s=timeout_s,
            max_body_bytes=max_body_bytes,
            contract=contract,
            threads=threads,
            max_stuck_threads=max_stuck_threads,
            environment=environment,
            log_max_bytes=log_max_bytes,
            log_backups=log_backups,
            data_collection=collecting,
        )
        keys = lifecycle.deploy(self, name, spec, wait_s=wait_s)
        return Endpoint(self, name, keys=keys)

    def endpoint(self, name: str) -> Endpoint:
        from jupyter_mlws.serving import Endpoint

        return Endpoint(self, name)

    def endpoints(self) -> list[EndpointRecord]:
        """Every endpoint, those whose process died shown as Dead."""
        from jupyter_mlws.serving.liveness import observe

        return [observe(self.store, r) for r in self.store.list_endpoints()]

    def package_endpoint(
        self, name: str, out_dir: str | os.PathLike[str], force: bool = False
    ) -> Path:
        """A build context (Dockerfile, requirements, models, score.py) to run it elsewhere."""
        from jupyter_mlws.serving.package import package

        return package(self, name, Path(out_dir), force=force)

    # ---- data: key vault and datastores -----------------------------------------------
    def get_default_keyvault(self) -> KeyVault:
        from jupyter_mlws.data import KeyVault

        return KeyVault(self)

    def get_default_datastore(self) -> Datastore:
        from jupyter_mlws.data import Datastore

        return Datastore.default(self)

    @property
    def datastores(self) -> dict[str, Datastore]:
        from jupyter_mlws.data import Datastore

        return {d.name: d for d in Datastore.list(self)}


__all__ = ["Workspace"]
