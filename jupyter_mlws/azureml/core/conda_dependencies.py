"""``CondaDependencies``: a v1 environment's conda/pip package lists, as a spec to record.

Building it is the environments capability's job; this holds the lists v1 code edits.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULT_CHANNELS = ("anaconda", "conda-forge")


class CondaDependencies:
    def __init__(self, conda_dependencies_file_path: str | None = None, _underlying: Any = None):
        self._conda: list[str] = []
        self._pip: list[str] = []
        self._channels: list[str] = list(DEFAULT_CHANNELS)
        self._python: str | None = None
        self._index_url: str | None = None
        if conda_dependencies_file_path:
            self._load(Path(conda_dependencies_file_path))

    @staticmethod
    def create(
        pip_indexurl: str | None = None,
        pip_packages: list[str] | None = None,
        conda_packages: list[str] | None = None,
        python_version: str | None = None,
        pin_sdk_version: bool = True,
    ) -> CondaDependencies:
        deps = CondaDependencies()
        deps._python = python_version
        deps._index_url = pip_indexurl
        for package in conda_packages or []:
            deps.add_conda_package(package)
        for package in pip_packages or []:
            deps.add_pip_package(package)
        return deps

    @property
    def conda_packages(self) -> list[str]:
        return list(self._conda)

    @property
    def pip_packages(self) -> list[str]:
        return list(self._pip)

    @property
    def pip_index_url(self) -> str | None:
        return self._index_url

    @property
    def conda_channels(self) -> list[str]:
        return list(self._channels)

    def add_conda_package(self, conda_package: str) -> None:
        if conda_package not in self._conda:
            self._conda.append(conda_package)

    def add_pip_package(self, pip_package: str) -> None:
        if pip_package not in self._pip:
            self._pip.append(pip_package)

    def add_channel(self, channel: str) -> None:
        if channel not in self._channels:
            self._channels.append(channel)

    def remove_conda_package(self, conda_package: str) -> None:
        self._conda = [p for p in self._conda if p != conda_package]

    def remove_pip_package(self, pip_package: str) -> None:
        self._pip = [p for p in self._pip if p != pip_package]

    def set_python_version(self, version: str) -> None:
        self._python = version

    def get_python_version(self) -> str | None:
        return self._python

    def as_dict(self) -> dict[str, Any]:
        deps: list[Any] = [f"python={self._python}"] if self._python else []
        deps += self._conda
        if self._pip:
            deps.append({"pip": list(self._pip)})
        return {"name": "project_environment", "channels": self._channels, "dependencies": deps}

    def serialize_to_string(self) -> str:
        import yaml

        return str(yaml.safe_dump(self.as_dict(), sort_keys=False))

    def save(self, path: str | os.PathLike[str] | None = None) -> str:
        target = Path(path or "conda_dependencies.yml")
        target.write_text(self.serialize_to_string(), encoding="utf-8")
        return str(target)

    save_to_file = save

    def _load(self, path: Path) -> None:
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        self._channels = list(data.get("channels") or [])
        for item in data.get("dependencies") or []:
            if isinstance(item, dict):
                for package in item.get("pip") or []:
                    self.add_pip_package(str(package))
            elif str(item).startswith("python="):
                self._python = str(item).split("=", 1)[1]
            else:
                self.add_conda_package(str(item))
