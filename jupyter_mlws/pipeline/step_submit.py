"""Starting one step of a pipeline run as a child run on the step's compute target.

The step's snapshot is its source snapshot plus its inputs under ``inputs/NAME`` (the
producing run's files, by digest: nothing is copied) and an empty marker in each output
folder, so the folders exist when the script starts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from jupyter_mlws.artifacts.manifest import encode_manifest
from jupyter_mlws.artifacts.snapshot import load_manifest
from jupyter_mlws.compute.notebook_config import EXECUTE_MODULE, check_parameters, warm_spec
from jupyter_mlws.compute.run_environment import PROPERTY as ENV_PROPERTY
from jupyter_mlws.compute.targets import get_target
from jupyter_mlws.entities import FileEntry, RunRecord, RunStatus
from jupyter_mlws.environments.runtime import KERNEL_NAME as ENV_KERNEL
from jupyter_mlws.pipeline.data import INPUTS_DIR, OUTPUT_MARKER, OUTPUTS_DIR, resolve
from jupyter_mlws.tracking import Workspace

PIPELINE_PROPERTY = "mlws.pipeline.run"
STEP_PROPERTY = "mlws.pipeline.step"


def output_prefix(name: str) -> str:
    return f"{OUTPUTS_DIR}/{name}/"


def output_files(ws: Workspace, run_id: str, name: str) -> list[FileEntry]:
    """The files a step run wrote into output ``name`` (paths inside the folder)."""
    prefix = output_prefix(name)
    return [
        FileEntry(e.path[len(prefix) :], e.digest, e.size, e.mode)
        for e in ws.store.list_artifacts(run_id, prefix)
        if e.path != prefix + OUTPUT_MARKER
    ]


def data_paths(spec: Mapping[str, Any]) -> dict[str, str]:
    paths = {name: f"{INPUTS_DIR}/{name}" for name in spec["inputs"]}
    paths.update({name: OUTPUTS_DIR + "/" + name for name in spec["outputs"]})
    return paths


def _snapshot(
    ws: Workspace, spec: Mapping[str, Any], inputs: Mapping[str, Sequence[FileEntry]]
) -> str:
    entries = {e.path: e for e in load_manifest(ws.blobs, spec["snapshot"])}
    for name, files in inputs.items():
        for f in files:
            path = f"{INPUTS_DIR}/{name}/{f.path}"
            entries[path] = FileEntry(path, f.digest, f.size, f.mode)
    marker = ws.blobs.put_bytes(b"")
    for name in spec["outputs"]:
        path = output_prefix(name) + OUTPUT_MARKER
        entries[path] = FileEntry(path, marker, 0, 0o644)
    ordered = sorted(entries.values(), key=lambda e: e.path)
    snapshot_id = ws.blobs.put_bytes(encode_manifest(ordered))
    ws.store.add_snapshot(snapshot_id, len(ordered), sum(e.size for e in ordered))
    return snapshot_id


def _definition(
    spec: Mapping[str, Any], parameters: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(run definition, run params, properties) of a script or notebook step."""
    paths = data_paths(spec)
    common: dict[str, Any] = {
        "max_duration_s": None,
        "env": {},
        "secrets": [],
        "data": [],
        "source_dir": spec["source_dir"],
    }
    if spec["environment"]:
        common["environment"] = spec["environment"]
    if spec["kind"] == "script":
        args = [str(resolve(a, dict(parameters), paths)) for a in spec["arguments"]]
        definition = {
            **common,
            "argv": ["{python}", spec["file"], *args],
            "script": spec["file"],
            "arguments": args,
        }
        return definition, {}, {}
    values = check_parameters(
        {k: resolve(v, dict(parameters), paths) for k, v in spec["parameters"].items()}
    )
    kernel = spec["kernel"]
    if spec["environment"]:
        kernel = ENV_KERNEL
    output = f"outputs/{spec['file'].rsplit('/', 1)[-1]}"
    argv = ["{python}", "-m", EXECUTE_MODULE, spec["file"], output]
    argv += ["--parameters", json.dumps(values), "--kernel", kernel]
    definition = {
        **common,
        "argv": argv,
        ("warm_env" if spec["environment"] else "warm"): warm_spec(kernel),
        "notebook": spec["file"],
        "parameters": values,
        "kernel_name": kernel,
        "output": output,
    }
    properties = {
        "mlws.notebook": spec["file"],
        "mlws.notebook.output": output,
        "mlws.notebook.kernel": kernel,
    }
    return definition, values, properties


def submit_step(
    ws: Workspace,
    pipeline: RunRecord,
    spec: Mapping[str, Any],
    parameters: Mapping[str, Any],
    inputs: Mapping[str, Sequence[FileEntry]],
) -> str:
    """Creates the step's child run (Queued) and lets its target start it."""
    definition, params, properties = _definition(spec, parameters)
    used = {k: v for k, v in parameters.items() if k in _params_used(spec)}
    properties = {**properties, PIPELINE_PROPERTY: pipeline.id, STEP_PROPERTY: spec["name"]}
    if spec["environment"]:
        env = spec["environment"]
        properties[ENV_PROPERTY] = f"{env['name']}:{env['version']}"
    target = get_target(ws, spec["compute"])
    record = ws.store.create_run(
        pipeline.experiment_id,
        kind=spec["kind"],
        compute=spec["compute"],
        status=RunStatus.QUEUED,
        display_name=spec["name"],
        parent_id=pipeline.id,
        snapshot_id=_snapshot(ws, spec, inputs),
        definition=definition,
        params={**used, **params},
        properties=properties,
    )
    target.dispatch()
    return record.id


def _params_used(spec: Mapping[str, Any]) -> set[str]:
    from jupyter_mlws.pipeline.data import token_refs

    tokens = [*spec["arguments"], *spec["parameters"].values()]
    return {p for _, p in map(token_refs, tokens) if p is not None}
