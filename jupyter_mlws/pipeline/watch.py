"""Change triggers: "when this datastore path or dataset changes", found by polling a
fingerprint of what the path matches (``data.fingerprint``: listing metadata only, never
file content), so a prefix of many objects costs a few list calls per poll."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupyter_mlws.data import Dataset, Datastore
from jupyter_mlws.data.fingerprint import fingerprint, list_matches
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.tracking import Workspace

WATCH = "watch"
DEFAULT_POLL_SECONDS = 300.0  # v1's polling_interval=5 (minutes)


def watch_spec(
    ws: Workspace,
    *,
    datastore: str | None = None,
    path: str | None = None,
    dataset: str | None = None,
    poll_seconds: float = DEFAULT_POLL_SECONDS,
) -> dict[str, Any]:
    """What to watch: a datastore and a path pattern on it, or a registered dataset (its
    latest version: a new version or a change of its files both count)."""
    if (dataset is None) == (datastore is None):
        raise InvalidParameterError("a change trigger watches a datastore (with path) or a dataset")
    if isinstance(poll_seconds, bool) or not isinstance(poll_seconds, int | float):
        raise InvalidParameterError(f"polling interval must be a number, got {poll_seconds!r}")
    if poll_seconds < 0:
        raise InvalidParameterError(f"polling interval must be >= 0, got {poll_seconds}")
    if dataset is not None:
        Dataset.get_by_name(ws, dataset)  # an unknown dataset is refused now
        return {"dataset": dataset, "poll_seconds": float(poll_seconds)}
    assert datastore is not None
    Datastore.get(ws, datastore)
    return {"datastore": datastore, "path": path or "", "poll_seconds": float(poll_seconds)}


def current_fingerprint(ws: Workspace, spec: Mapping[str, Any]) -> str:
    """The fingerprint of what is there now ('' when the path matches nothing)."""
    if "dataset" in spec:
        found = Dataset.get_by_name(ws, spec["dataset"])
        try:
            files = found.list_now()
        except ResourceNotFoundError:
            files = []
        return f"v{found.version}:{fingerprint(files)}"
    store = Datastore.get(ws, spec["datastore"])
    fs, root = store.filesystem()
    try:
        files = list_matches(fs, root, spec.get("path", ""), f"datastore {store.name!r}")
    except ResourceNotFoundError:
        return ""
    return fingerprint(files)


def describe(spec: Mapping[str, Any]) -> str:
    if "dataset" in spec:
        return f"dataset {spec['dataset']} changes"
    return f"{spec['datastore']}:{spec.get('path') or '/'} changes"
