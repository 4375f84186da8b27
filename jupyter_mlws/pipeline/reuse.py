"""Reuse that explains itself.

A step's key is the digest of its components: the snapshot of its source folder, its
script or notebook, its arguments and the parameter values they use, its environment
and the digests of its inputs. A completed step with the same key is reused. When the
step runs instead, the reason names what differs from its latest earlier run in the
experiment: "src/train.py changed", "parameter lr 0.1 → 0.05", "input 'prepared'
changed because step 'prepare' ran", "allow_reuse=False", "no earlier run".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jupyter_mlws.artifacts.blobs import BlobStore
from jupyter_mlws.artifacts.snapshot import load_manifest
from jupyter_mlws.entities import FileEntry
from jupyter_mlws.pipeline.data import token_refs

MAX_FILES_NAMED = 3


def components(
    spec: Mapping[str, Any], parameters: Mapping[str, Any], input_digests: Mapping[str, str]
) -> dict[str, Any]:
    tokens = [*spec["arguments"], *spec["parameters"].values()]
    used = sorted({p for _, p in map(token_refs, tokens) if p is not None})
    return {
        "kind": spec["kind"],
        "source": spec["snapshot"],
        "source_name": Path(spec["source_dir"]).name,
        "file": spec["file"],
        "arguments": spec["arguments"],
        "notebook_parameters": spec["parameters"],
        "parameters": {name: parameters[name] for name in used},
        "environment": spec["environment_key"],
        "inputs": dict(sorted(input_digests.items())),
        "outputs": sorted(spec["outputs"]),
    }


def reuse_key(parts: Mapping[str, Any]) -> str:
    text = json.dumps({k: v for k, v in parts.items() if k != "source_name"}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def files_digest(entries: Sequence[FileEntry]) -> str:
    """One digest for a folder's files (path and content), order-independent."""
    h = hashlib.sha256()
    for e in sorted(entries, key=lambda e: e.path):
        h.update(f"{e.path}\0{e.digest}\n".encode())
    return h.hexdigest()


def explain(
    blobs: BlobStore,
    now: Mapping[str, Any],
    before: Mapping[str, Any] | None,
    ran_upstream: Mapping[str, str],
) -> str:
    """Why a step with components ``now`` runs, against its earlier step row ``before``.

    ``ran_upstream``: input name → the step of this pipeline run that produced it by
    running (not by reuse)."""
    if before is None or not before.get("components"):
        return "no earlier run"
    old: Mapping[str, Any] = before["components"]
    reasons: list[str] = []
    if old.get("source") != now["source"]:
        reasons.extend(_source_changes(blobs, old.get("source"), now))
    for field, label in (("kind", "step kind"), ("file", "file"), ("environment", "environment")):
        if old.get(field) != now[field]:
            reasons.append(f"{label} {_short(old.get(field))} → {_short(now[field])}")
    old_params, new_params = old.get("parameters") or {}, now["parameters"]
    for name in sorted(set(old_params) | set(new_params)):
        if old_params.get(name, "(unset)") != new_params.get(name, "(unset)"):
            reasons.append(
                f"parameter {name} {_short(old_params.get(name, '(unset)'))} → "
                f"{_short(new_params.get(name, '(unset)'))}"
            )
    if old.get("arguments") != now["arguments"]:
        reasons.append(f"arguments {_short(old.get('arguments'))} → {_short(now['arguments'])}")
    if old.get("notebook_parameters") != now["notebook_parameters"]:
        reasons.append("notebook parameters changed")
    old_inputs = old.get("inputs") or {}
    for name, digest in now["inputs"].items():
        if old_inputs.get(name) != digest:
            producer = ran_upstream.get(name)
            reasons.append(
                f"input {name!r} changed because step {producer!r} ran"
                if producer
                else f"input {name!r} changed"
            )
    if old.get("outputs") != now["outputs"]:
        reasons.append(f"outputs {old.get('outputs')} → {now['outputs']}")
    if not reasons:
        status = before.get("status")
        if status != "Completed":
            run = before.get("step_run_id") or before.get("pipeline_run_id")
            return f"its earlier run {run} ended {status}"
        return "nothing changed, but reuse found no completed run"
    return "; ".join(reasons)


def _source_changes(blobs: BlobStore, old_id: str | None, now: Mapping[str, Any]) -> list[str]:
    prefix = now["source_name"]
    try:
        old = {e.path: e.digest for e in load_manifest(blobs, old_id)} if old_id else {}
        new = {e.path: e.digest for e in load_manifest(blobs, now["source"])}
    except Exception:  # a pruned blob: say what is known
        return [f"source folder {prefix}/ changed"]
    changes = [f"{prefix}/{p} changed" for p in sorted(new) if p in old and old[p] != new[p]]
    changes += [f"{prefix}/{p} added" for p in sorted(set(new) - set(old))]
    changes += [f"{prefix}/{p} removed" for p in sorted(set(old) - set(new))]
    if len(changes) > MAX_FILES_NAMED:
        extra = len(changes) - MAX_FILES_NAMED
        changes = [*changes[:MAX_FILES_NAMED], f"and {extra} more file(s) changed"]
    return changes or [f"source folder {prefix}/ changed"]


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
