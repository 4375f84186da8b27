"""Data collected by endpoints (``collect_data=True``): read back, and registered as a
dataset for drift work, for every front door."""

from __future__ import annotations

from typing import Any

from jupyter_mlws.data.dataset import Dataset, FileDataset, TabularDataset
from jupyter_mlws.data.datastore import Datastore
from jupyter_mlws.entities import now_ms
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.serving import collection
from jupyter_mlws.serving.request_stats import parse_since
from jupyter_mlws.workspace import Workspace

DEFAULT_SINCE = "1d"
DEFAULT_LIMIT = 1000


def _settings(ws: Workspace, name: str) -> dict[str, Any]:
    record = ws.endpoint(name).refresh()  # an unknown name: ResourceNotFoundError
    settings = record.config.get("data_collection")
    if not settings:
        raise InvalidParameterError(
            f"endpoint {name!r} does not collect data: deploy it with collect_data=True "
            "(--collect-data)"
        )
    return dict(settings)


def collected_records(
    ws: Workspace, name: str, since: str = DEFAULT_SINCE, limit: int | None = DEFAULT_LIMIT
) -> dict[str, Any]:
    """The last ``limit`` records collected over ``since``, oldest first."""
    window_ms = int(parse_since(since) * 1000)
    if limit is not None and (isinstance(limit, bool) or limit < 1):
        raise InvalidParameterError(f"limit must be a positive number, got {limit!r}")
    settings = _settings(ws, name)
    fs, root = Datastore.get(ws, str(settings["datastore"])).filesystem()
    until = now_ms()
    records = collection.read_records(fs, root, name, until - window_ms, until, limit)
    return {
        "endpoint": name,
        "since_ms": until - window_ms,
        "until_ms": until,
        "datastore": settings["datastore"],
        "count": len(records),
        "records": records,
    }


def register_collected_data(
    ws: Workspace, name: str, dataset: str, description: str | None = None
) -> TabularDataset | FileDataset:
    """Every partition collected so far as a new version of dataset ``dataset``: tabular
    over the Parquet files, or a file dataset over the JSON lines."""
    settings = _settings(ws, name)
    store = Datastore.get(ws, str(settings["datastore"]))
    fmt = str(settings.get("format", "jsonl"))
    path = (store, collection.dataset_pattern(name, fmt))
    found: TabularDataset | FileDataset = (
        Dataset.Tabular.from_parquet_files(path, workspace=ws)
        if fmt == "parquet"
        else Dataset.File.from_files(path, workspace=ws)
    )
    registered = found.register(
        ws,
        dataset,
        description=description or f"data collected by endpoint {name}",
        create_new_version=True,
    )
    assert isinstance(registered, (TabularDataset, FileDataset))
    return registered
