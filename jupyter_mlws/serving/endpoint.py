"""``Endpoint``: a handle on one deployed scoring service (Azure's ``Webservice``)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from jupyter_mlws.entities import EndpointKeyInfo, EndpointRecord, EndpointState, now_ms
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.serving import client, collection, lifecycle
from jupyter_mlws.serving import keys as endpoint_keys
from jupyter_mlws.serving.layout import EndpointLayout
from jupyter_mlws.serving.liveness import is_running, observe
from jupyter_mlws.serving.logs import follow_log, read_log
from jupyter_mlws.serving.request_stats import RequestStats, parse_since, request_stats
from jupyter_mlws.serving.telemetry import EndpointStats, endpoint_stats
from jupyter_mlws.tracking import Workspace

if TYPE_CHECKING:
    import pandas


class Endpoint:
    def __init__(self, workspace: Workspace, name: str, keys: dict[str, str] | None = None):
        self.workspace = workspace
        self.name = name
        self._keys = dict(keys or {})  # clear keys, only when made in this process
        self._record = workspace.store.get_endpoint(name)

    # ---- state ----------------------------------------------------------------------
    @property
    def record(self) -> EndpointRecord:
        return self._record

    def refresh(self) -> EndpointRecord:
        self._record = observe(self.workspace.store, self.workspace.store.get_endpoint(self.name))
        return self._record

    @property
    def state(self) -> EndpointState:
        return self.refresh().state

    @property
    def scoring_uri(self) -> str:
        uri = self._record.scoring_uri
        assert uri is not None
        return uri

    @property
    def base_uri(self) -> str:
        return self.scoring_uri.rsplit("/score", 1)[0]

    @property
    def layout(self) -> EndpointLayout:
        return EndpointLayout.of(self.workspace.root, self.name)

    def status(self) -> dict[str, Any]:
        """What the supervisor reports: workers, restarts, generations."""
        return self.layout.read_status()

    def metrics(self) -> dict[str, EndpointStats]:
        return endpoint_stats(self.workspace.store, self.name)

    def request_stats(self, since: str = "1h") -> RequestStats:
        """From the request log: requests, errors by status, p50/p95/p99, requests/s."""
        until = now_ms()
        window_ms = int(parse_since(since) * 1000)
        found = request_stats(self.layout, self.name, until - window_ms, until)
        if self._record.config.get("data_collection"):
            counts = collection.collection_counts(self.layout.metrics_dir)
            found = dataclasses.replace(found, collection=counts)
        return found

    # ---- collected data ---------------------------------------------------------------
    def collected_records(
        self, since: str = "1d", limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The inputs and outputs collected over ``since`` (``collect_data=True``), oldest
        first: time, ts, request_id, endpoint, generation, models, input, output."""
        window_ms = int(parse_since(since) * 1000)
        if limit is not None and (isinstance(limit, bool) or limit < 1):
            raise InvalidParameterError(f"limit must be a positive number, got {limit!r}")
        settings = self.refresh().config.get("data_collection")
        if not settings:
            raise InvalidParameterError(
                f"endpoint {self.name!r} does not collect data: deploy it with "
                "collect_data=True (--collect-data)"
            )
        fs, root = collection.open_store(settings)
        until = now_ms()
        return collection.read_records(fs, root, self.name, until - window_ms, until, limit)

    def collected_data(self, since: str = "1d", limit: int | None = None) -> pandas.DataFrame:
        """``collected_records`` as a DataFrame (pandas is imported only now)."""
        return collection.to_frame(self.collected_records(since, limit))

    # ---- calling it -------------------------------------------------------------------
    def invoke(self, data: Any, key: str | None = None, timeout_s: float = 60.0) -> Any:
        """``POST /score`` with ``data`` as JSON; returns what ``run()`` returned."""
        record = self.refresh()
        return client.invoke(
            self.name, self.scoring_uri, data, key=self._key_for(record, key), timeout_s=timeout_s
        )

    run = invoke  # Azure's Webservice.run(input_data)

    def _key_for(self, record: EndpointRecord, key: str | None) -> str | None:
        if record.auth != "key":
            return None
        found = key or self._keys.get("primary") or self._keys.get("secondary")
        found = found or os.environ.get(endpoint_keys.ENV_KEY)
        if not found:
            raise InvalidParameterError(
                f"endpoint {self.name!r} needs a key: pass key=... (--key) or set "
                f"{endpoint_keys.ENV_KEY}; keys are shown once, when made "
                f"(`mlws endpoint keys {self.name} --regenerate secondary` makes a new one)"
            )
        return found

    # ---- keys -----------------------------------------------------------------------
    def get_keys(self) -> dict[str, str]:
        """The keys made in this session (the workspace stores only their hashes)."""
        return dict(self._keys)

    def list_keys(self) -> list[EndpointKeyInfo]:
        return self.workspace.store.list_endpoint_keys(self.name)

    def regen_key(self, slot: str = "primary") -> str:
        key = endpoint_keys.regenerate_key(self.workspace.store, self.layout, self.name, slot)
        self._keys[slot] = key
        return key

    # ---- lifecycle ------------------------------------------------------------------
    def update(
        self,
        models: Sequence[Any] | None = None,
        entry_script: str | None = None,
        source_dir: str | os.PathLike[str] | None = None,
        workers: int | None = None,
        timeout_s: float | None = None,
    ) -> Endpoint:
        self._record = lifecycle.update(
            self.workspace,
            self.name,
            models=models,
            entry_script=entry_script,
            source_dir=source_dir,
            workers=workers,
            timeout_s=timeout_s,
        )
        return self

    def start(self, port: int | None = None) -> Endpoint:
        self._record = lifecycle.start(self.workspace, self.name, port=port)
        return self

    def stop(self) -> Endpoint:
        self._record = lifecycle.stop(self.workspace, self.name)
        return self

    def delete(self) -> None:
        lifecycle.delete(self.workspace, self.name)

    # ---- logs -----------------------------------------------------------------------
    def get_logs(self, num_lines: int = 5000) -> str:
        return read_log(self.layout, num_lines)

    def follow_logs(self, start_lines: int = 50) -> Iterator[str]:
        return follow_log(self.layout, lambda: is_running(self.refresh()), start_lines=start_lines)

    def to_dict(self) -> dict[str, Any]:
        return self.refresh().to_dict()

    def __repr__(self) -> str:
        r = self._record
        return f"Endpoint(name={r.name!r}, state={r.state.value!r}, scoring_uri={r.scoring_uri!r})"
