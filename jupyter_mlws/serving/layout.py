"""Where an endpoint's files live in the workspace: ``.mlws/endpoints/NAME/``.

``service.json`` is the configuration the service (re)loads, ``status.json`` what it
reports, ``keys.json`` the key hashes it accepts, ``service.log`` its output (rotated by size,
like ``requests.jsonl``, its request log), ``metrics/`` its Prometheus values, and
``gN/`` the model files and source of generation N.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_mlws.exceptions import InvalidParameterError

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,63}$")
KEPT_GENERATIONS = 2  # the serving one and the one before it (still draining after an update)


def validate_endpoint_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise InvalidParameterError(
            f"invalid endpoint name {name!r}: use 1-64 letters, digits, '_' or '-', starting "
            "with a letter or digit"
        )
    return name


@dataclass(frozen=True)
class EndpointLayout:
    dir: Path

    @classmethod
    def of(cls, workspace_root: Path, name: str) -> EndpointLayout:
        return cls(workspace_root / "endpoints" / validate_endpoint_name(name))

    @property
    def config_path(self) -> Path:
        return self.dir / "service.json"

    @property
    def status_path(self) -> Path:
        return self.dir / "status.json"

    @property
    def keys_path(self) -> Path:
        return self.dir / "keys.json"

    @property
    def log_path(self) -> Path:
        return self.dir / "service.log"

    @property
    def request_log_path(self) -> Path:
        """The JSON-lines request log; rotated copies are ``requests.jsonl.1`` … ``.N``."""
        return self.dir / "requests.jsonl"

    @property
    def metrics_dir(self) -> Path:
        return self.dir / "metrics"

    def generation_dir(self, generation: int) -> Path:
        return self.dir / f"g{generation}"

    def read_status(self) -> dict[str, Any]:
        try:
            data = json.loads(self.status_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def prune_generations(self, current: int) -> None:
        for folder in self.dir.glob("g*"):
            number = folder.name[1:]
            if number.isdigit() and int(number) <= current - KEPT_GENERATIONS:
                shutil.rmtree(folder, ignore_errors=True)

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
