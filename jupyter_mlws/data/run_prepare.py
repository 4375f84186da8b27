"""The data steps of a run's Preparing phase (hooked in by ``compute.preparing``).

Secrets: each requested secret is decrypted into ``MLWS_SECRET_<NAME>`` (and into any
environment variable that references it) and handed to the log redactor. Inputs: each
dataset input is materialized (downloaded or mounted) before user code starts, the run
records the version it read, and its token in argv becomes the local path. Outputs: a
local folder now; uploaded and registered when the run succeeds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from jupyter_mlws.data.keyvault import KeyVault
from jupyter_mlws.exceptions import ResourceNotFoundError
from jupyter_mlws.tracking.run_data import ENV_INPUT_DATASETS, ENV_SECRET_NAMES, secret_env_name

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Workspace

Log = Callable[[str], None]


class Preparation(Protocol):
    """What compute.preparing hands each step (data must not import compute)."""

    env: dict[str, str]
    replacements: dict[str, str]
    redact: list[str]
    on_success: list[Callable[[], None]]


def prepare_secrets(
    ws: Workspace,
    run_id: str,
    definition: Mapping[str, Any],
    workdir: Path,
    prep: Preparation,
    log: Log,
) -> None:
    vault = KeyVault(ws)
    names = [str(n) for n in definition.get("secrets") or []]
    values: dict[str, str] = {}
    for name in names:
        try:
            values[name] = vault.get_secret(name)
        except ResourceNotFoundError:
            raise ResourceNotFoundError(
                f"secret {name!r} requested by the run does not exist in the key vault "
                f"(set it with: mlws secret set {name})"
            ) from None
        prep.env[secret_env_name(name)] = values[name]
    for key, value in (definition.get("env") or {}).items():
        if isinstance(value, Mapping) and "secret" in value:
            prep.env[str(key)] = values[str(value["secret"])]
    prep.env[ENV_SECRET_NAMES] = json.dumps(names)
    prep.redact.extend(values.values())
    log(f"secrets available to the run: {', '.join(names)} (values are masked in logs)")


def prepare_data(
    ws: Workspace,
    run_id: str,
    definition: Mapping[str, Any],
    workdir: Path,
    prep: Preparation,
    log: Log,
) -> None:
    from jupyter_mlws.data.run_io import materialize_input, prepare_output

    inputs: dict[str, Any] = {}
    for binding in definition.get("data") or []:
        if binding.get("kind") == "input":
            path = materialize_input(ws, run_id, binding, workdir, log)
            value = str(path) if path is not None else f"{binding['dataset']}:{binding['version']}"
            inputs[binding["name"]] = {
                "path": value,
                "dataset": binding["dataset"],
                "version": binding["version"],
                "mode": binding["mode"],
            }
            prep.replacements[binding["token"]] = value
        elif binding.get("kind") == "output":
            path, on_success = prepare_output(ws, run_id, binding, workdir, log)
            prep.replacements[binding["token"]] = str(path)
            prep.on_success.append(on_success)
    prep.env[ENV_INPUT_DATASETS] = json.dumps(inputs)
