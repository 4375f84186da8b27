"""The data half of ``Run``: inputs the runner materialized, and requested secrets.

Inside a submitted run the job runner has already done the work in Preparing: dataset
inputs are local paths (``MLWS_INPUT_DATASETS``), and each secret the run's config asked
for is in ``MLWS_SECRET_<NAME>``. Nothing here decrypts or downloads, so a job needs
neither the key nor the storage extras.
"""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any

from jupyter_mlws.entities import RunDatasetLink
from jupyter_mlws.exceptions import ResourceNotFoundError

if TYPE_CHECKING:
    from jupyter_mlws.tracking.workspace import Workspace

ENV_INPUT_DATASETS = "MLWS_INPUT_DATASETS"
ENV_SECRET_NAMES = "MLWS_SECRET_NAMES"


def secret_env_name(name: str) -> str:
    return "MLWS_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def secret_forms(value: str) -> set[str]:
    """The ways a secret shows up in text: as it is, as ``repr`` shows it, and both of
    those JSON-escaped (as in a notebook's stored outputs)."""
    if not value:
        return set()
    plain = {value, repr(value)[1:-1]}
    return plain | {json.dumps(v)[1:-1] for v in plain}


class RunData:
    id: str
    workspace: Workspace

    @property
    def input_datasets(self) -> dict[str, str]:
        """Named inputs → local paths (as Azure's ``run.input_datasets`` for mounts and
        downloads); empty outside a submitted run with dataset inputs."""
        if os.environ.get("MLWS_RUN_ID") != self.id:
            return {}
        data: dict[str, Any] = json.loads(os.environ.get(ENV_INPUT_DATASETS) or "{}")
        return {str(k): str(v["path"]) for k, v in data.items()}

    def get_secret(self, name: str) -> str:
        """A secret this run's config requested (``secrets=[...]``); any other is refused."""
        requested = json.loads(os.environ.get(ENV_SECRET_NAMES) or "[]")
        if os.environ.get("MLWS_RUN_ID") != self.id or name not in requested:
            raise ResourceNotFoundError(
                f"secret {name!r} was not requested by this run: add it to the run "
                f'config\'s secrets=["{name}"]'
            )
        return os.environ[secret_env_name(name)]

    def get_secrets(self, names: list[str]) -> dict[str, str]:
        return {name: self.get_secret(name) for name in names}

    def get_dataset_links(self) -> list[RunDatasetLink]:
        """The dataset versions this run read and wrote (its lineage)."""
        return self.workspace.store.run_datasets(self.id)
