"""``azureml.core.Workspace``: the local workspace under v1's names.

A v1 workspace is an Azure resource found through ``config.json``; here it is the
local ``.mlws/`` workspace. ``from_config`` still reads ``config.json`` the way v1
searched for it (its names are kept for ``ws.name`` and friends), and the Azure-only
arguments are accepted and said once to have no local meaning.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from jupyter_mlws import config as cfg
from jupyter_mlws.azureml._notice import say_once
from jupyter_mlws.azureml.exceptions import UserErrorException
from jupyter_mlws.workspace import Workspace as NativeWorkspace

CONFIG_FILE = "config.json"
# Where v1 looks in each folder, walking up from the start folder.
CONFIG_LOCATIONS = (".azureml", "", "aml_config")
LOCAL = "local"


class _Listing(dict):
    """v1's ``ws.experiments`` / ``ws.models`` are dicts; the native SDK's same-named
    methods are still callable on them, so native code handed a v1 workspace works."""

    def __init__(self, items: dict[str, Any], native: Callable[..., Any]) -> None:
        super().__init__(items)
        self._native = native

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._native(*args, **kwargs)


class Workspace(NativeWorkspace):
    """``Workspace(subscription_id, resource_group, workspace_name)`` or ``from_config()``."""

    def __init__(
        self,
        subscription_id: Any = None,
        resource_group: Any = None,
        workspace_name: str | None = None,
        auth: Any = None,
        _location: str | None = None,
        _disable_service_check: bool = False,
        _workspace_id: str | None = None,
        sku: str = "basic",
        **kwargs: Any,
    ) -> None:
        if isinstance(resource_group, cfg.WorkspaceConfig):  # opened by the native SDK
            super().__init__(Path(subscription_id), resource_group)
            self._v1 = {"subscription_id": "", "resource_group": "", "workspace_name": ""}
            return
        _adopt(self, NativeWorkspace.current())
        self._v1 = {
            "subscription_id": str(subscription_id or ""),
            "resource_group": str(resource_group or ""),
            "workspace_name": str(workspace_name or ""),
        }
        _say_local(auth, self)

    # ---- finding it ---------------------------------------------------------------------
    @classmethod
    def from_config(
        cls,
        path: str | os.PathLike[str] | None = None,
        auth: Any = None,
        _logger: Any = None,
        _file_name: str | None = None,
    ) -> Workspace:
        """Read ``config.json`` as v1 does (``.azureml/``, the folder, ``aml_config/``,
        walking up); the workspace is the local one, or the one it names in
        ``mlws_workspace``."""
        found = find_config(path, _file_name or CONFIG_FILE)
        values: dict[str, Any] = {}
        if found is not None:
            try:
                values = json.loads(found.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise UserErrorException(f"cannot read {found}: {exc}") from None
            if not isinstance(values, dict):
                raise UserErrorException(f"{found} must hold a JSON object")
        local = values.get("mlws_workspace")
        if local:
            base = found.parent if found is not None else Path.cwd()
            ws = cls.open(base / str(local))
        else:
            ws = cls.current()
        ws._v1 = {
            "subscription_id": str(values.get("subscription_id", "")),
            "resource_group": str(values.get("resource_group", "")),
            "workspace_name": str(values.get("workspace_name", "")),
        }
        where = f"read {found}" if found else f"found no {_file_name or CONFIG_FILE}"
        say_once(
            "from_config",
            f"Workspace.from_config(): {where}; using the local workspace {ws.root}",
        )
        _say_local(auth, ws)
        return ws

    @classmethod
    def get(
        cls,
        name: str,
        auth: Any = None,
        subscription_id: str | None = None,
        resource_group: str | None = None,
        location: str | None = None,
        cloud: str = "AzureCloud",
        id: str | None = None,
    ) -> Workspace:
        return cls(subscription_id, resource_group, name, auth=auth, _location=location)

    @classmethod
    def create(
        cls,
        name: str,
        auth: Any = None,
        subscription_id: str | None = None,
        resource_group: str | None = None,
        location: str | None = None,
        create_resource_group: bool = True,
        sku: str = "basic",
        exist_ok: bool = False,
        show_output: bool = True,
        **kwargs: Any,
    ) -> Workspace:
        ws = cls(subscription_id, resource_group, name, auth=auth, _location=location)
        say_once("create", f"Workspace.create({name!r}): no Azure resource; using {ws.root}")
        return ws

    @classmethod
    def list(
        cls, subscription_id: str | None = None, auth: Any = None, resource_group: str | None = None
    ) -> dict[str, list[Workspace]]:
        ws = cls(subscription_id, resource_group, None, auth=auth)
        return {ws.name: [ws]}

    def write_config(
        self, path: str | os.PathLike[str] | None = None, file_name: str | None = None
    ) -> Path:
        """``.azureml/config.json`` under ``path`` (default: the current folder)."""
        folder = Path(path) if path is not None else Path.cwd()
        target = folder / ".azureml" / (file_name or CONFIG_FILE)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "subscription_id": self.subscription_id,
            "resource_group": self.resource_group,
            "workspace_name": self.name,
        }
        target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        return target

    # ---- v1 attributes ------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._v1["workspace_name"] or self.root.parent.name or LOCAL

    @property
    def subscription_id(self) -> str:
        return self._v1["subscription_id"] or LOCAL

    @property
    def resource_group(self) -> str:
        return self._v1["resource_group"] or LOCAL

    @property
    def location(self) -> str:
        return LOCAL

    @property
    def sku(self) -> str:
        return LOCAL

    @property
    def discovery_url(self) -> str:
        return self.root.as_uri()

    def get_details(self) -> dict[str, Any]:
        return {
            "id": str(self.root),
            "name": self.name,
            "location": self.location,
            "subscriptionId": self.subscription_id,
            "resourceGroup": self.resource_group,
            **self.details(),
        }

    def experiment(self, name: str) -> Any:
        from jupyter_mlws.azureml.core.experiment import Experiment

        return Experiment(self, name)

    @property
    def experiments(self) -> _Listing:
        from jupyter_mlws.azureml.core.experiment import Experiment

        native = super().experiments
        return _Listing({e.name: Experiment(self, e) for e in native()}, native)

    @property
    def models(self) -> _Listing:
        from jupyter_mlws.azureml.core.model import Model

        native = super().models
        return _Listing({m.name: Model._of(self, m) for m in native(latest=True)}, native)

    @property
    def compute_targets(self) -> _Listing:
        from jupyter_mlws.azureml.core.compute import ComputeTarget

        native = super().compute_targets
        found = {t["name"]: ComputeTarget._of(self, t) for t in native() if t["name"] != LOCAL}
        return _Listing(found, native)

    @property
    def webservices(self) -> dict[str, Any]:
        from jupyter_mlws.azureml.core.webservice import Webservice

        return {r.name: Webservice(self, r.name) for r in self.endpoints()}

    @property
    def environments(self) -> dict[str, Any]:
        from jupyter_mlws.azureml.core.environment import Environment

        return Environment.list(self)

    @property
    def datasets(self) -> dict[str, Any]:
        from jupyter_mlws.azureml.data import registered_datasets

        return registered_datasets(self)

    @property
    def datastores(self) -> dict[str, Any]:
        from jupyter_mlws.azureml.data import registered_datastores

        return registered_datastores(self)

    def get_default_datastore(self) -> Any:
        from jupyter_mlws.azureml.data import default_datastore

        return default_datastore(self)

    def get_mlflow_tracking_uri(self) -> str:
        return f"mlws:{self.root}"

    def __repr__(self) -> str:
        return (
            f"Workspace.create(name={self.name!r}, subscription_id={self.subscription_id!r}, "
            f"resource_group={self.resource_group!r})  # local: {self.root}"
        )


def find_config(start: str | os.PathLike[str] | None, file_name: str) -> Path | None:
    """v1's search: in ``start`` (a file or a folder, default the cwd) and each parent,
    ``.azureml/<file>``, ``<file>``, ``aml_config/<file>``."""
    if start is not None and Path(start).is_file():
        return Path(start)
    folder = Path(start or Path.cwd()).resolve()
    for candidate_dir in _upwards(folder):
        for sub in CONFIG_LOCATIONS:
            candidate = candidate_dir / sub / file_name
            if candidate.is_file():
                return candidate
    return None


def _upwards(folder: Path) -> Iterator[Path]:
    yield folder
    yield from folder.parents


def _adopt(target: Workspace, source: NativeWorkspace) -> None:
    """Share the already-open store and blobs of the local workspace."""
    target.__dict__.update(source.__dict__)


def _say_local(auth: Any, ws: Workspace) -> None:
    if auth is not None:
        say_once("auth", f"auth={type(auth).__name__}: no Azure sign-in here; access is local")
    say_once(
        "subscription",
        "subscription, resource group and location have no local meaning: "
        f"the workspace is the folder {ws.root}",
    )
