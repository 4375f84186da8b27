"""Model data collection: the inputs and outputs of sampled requests, off the request path.

Opt-in at deploy (``collect_data=True``). On the event loop a request costs one hash of
its id (the sampling decision, so the same id is sampled the same way in every worker)
and one append to a bounded queue; a full queue drops the record and counts it: scoring
never waits for collection. A thread of the worker drains the queue every ``flush_s``
into hourly partitions, ``<prefix>/YYYY/MM/DD/HH/<worker>-<first ms>-<n>.<ext>``, each
file written once (so object stores work too): Parquet when pyarrow is importable and
was asked for, else JSON lines. Where the files go is the ``Writer`` the workspace edition
gives (its default datastore); the runtime itself knows only relative paths.
"""

from __future__ import annotations

import collections
import datetime
import io
import os
import sys
import threading
import time
import zlib
from collections.abc import Callable
from typing import Any

import orjson

from .collection_format import COLUMNS, DEFAULT_FLUSH_S, DEFAULT_QUEUE_SIZE

Writer = Callable[[str, bytes], None]
"""``write(relative path, content)``: one whole file."""

Item = tuple[int, str, bytes, bytes]
"""(time ms, request id, request body, response body)"""


def sampled(request_id: str, rate: float) -> bool:
    """The same answer for the same id in every worker: crc32 of the id below rate·2³²."""
    return rate >= 1.0 or zlib.crc32(request_id.encode()) < int(rate * 2**32)


class DataCollector:
    def __init__(
        self,
        settings: dict[str, Any],
        static: dict[str, Any],
        write: Writer,
        metrics: Any = None,
    ) -> None:
        self.rate = float(settings.get("rate", 1.0))
        self.queue_size = int(settings.get("queue_size", DEFAULT_QUEUE_SIZE))
        self.flush_s = float(settings.get("flush_s", DEFAULT_FLUSH_S))
        self.prefix = str(settings["prefix"]).strip("/")
        self.format = _usable_format(str(settings.get("format", "jsonl")))
        self.static = static  # endpoint, generation, models: the same on every record
        self.write = write
        self.metrics = metrics
        self.dropped = 0
        self.collected = 0
        self._threshold = int(self.rate * 2**32)
        self._queue: collections.deque[Item] = collections.deque()
        self._seq = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mlws-collector", daemon=True)
        self._thread.start()

    # ---- on the event loop ------------------------------------------------------------
    def offer(self, request_id: str, body: bytes, output: bytes) -> None:
        if self._threshold < 2**32 and zlib.crc32(request_id.encode()) >= self._threshold:
            return
        if len(self._queue) >= self.queue_size:
            self.dropped += 1
            if self.metrics is not None:
                self.metrics.dropped.inc()
            return
        self._queue.append((time.time_ns() // 1_000_000, request_id, body, output))

    # ---- the writer thread ------------------------------------------------------------
    def close(self) -> None:
        """Stop the thread and write what is queued (a graceful stop loses nothing)."""
        self._stop.set()
        self._thread.join(timeout=30)
        self._flush()

    def _loop(self) -> None:
        while not self._stop.wait(self.flush_s):
            self._flush()

    def _flush(self) -> None:
        queue = self._queue
        by_hour: dict[str, list[Item]] = {}
        while queue:
            item = queue.popleft()
            by_hour.setdefault(_hour_of(item[0]), []).append(item)
        for hour, items in by_hour.items():
            try:
                self._write_partition(hour, items)
            except Exception as exc:  # collection must never take the worker down
                if self.metrics is not None:
                    self.metrics.failed.inc(len(items))
                print(
                    f"[mlws] data collection: {len(items)} record(s) not written: {exc}",
                    file=sys.stderr,
                    flush=True,
                )

    def _write_partition(self, hour: str, items: list[Item]) -> None:
        records = [self._record(item) for item in items]
        self._seq += 1
        name = f"{os.getpid()}-{items[0][0]}-{self._seq}"
        if self.format == "parquet":
            content, ext = _parquet(records), "parquet"
        else:
            content = b"".join(
                orjson.dumps(r, option=orjson.OPT_SERIALIZE_NUMPY) + b"\n" for r in records
            )
            ext = "jsonl"
        self.write(f"{self.prefix}/{hour}/{name}.{ext}", content)
        self.collected += len(records)
        if self.metrics is not None:
            self.metrics.collected.inc(len(records))

    def _record(self, item: Item) -> dict[str, Any]:
        ms, rid, body, output = item
        stamp = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
        record: dict[str, Any] = {
            "time": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "ts": ms,
            "request_id": rid,
            **self.static,
            "input": _decoded(body),
            "output": _decoded(output),
        }
        if self.format == "parquet":  # one schema for every file: JSON text columns
            record["models"] = ", ".join(record.get("models") or ())
            record["input"] = orjson.dumps(record["input"]).decode()
            record["output"] = orjson.dumps(record["output"]).decode()
        return record


def _decoded(body: bytes) -> Any:
    """The JSON document, or the text itself when it is not JSON (the v1 contract)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.decode("utf-8", errors="replace")


def _hour_of(ms: int) -> str:
    return time.strftime("%Y/%m/%d/%H", time.gmtime(ms / 1000))


def _usable_format(wanted: str) -> str:
    if wanted != "parquet":
        return "jsonl"
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        print("[mlws] data collection: no pyarrow here, writing JSON lines", file=sys.stderr)
        return "jsonl"
    return "parquet"


def _parquet(records: list[dict[str, Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("time", pa.string()),
            ("ts", pa.int64()),
            ("request_id", pa.string()),
            ("endpoint", pa.string()),
            ("generation", pa.int64()),
            ("models", pa.string()),
            ("input", pa.string()),
            ("output", pa.string()),
        ]
    )
    table = pa.Table.from_pylist([{c: r.get(c) for c in COLUMNS} for r in records], schema)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def local_writer(folder: str) -> Writer:
    """Files under a local folder (a packaged service, or tests of the runtime alone)."""

    def write(path: str, content: bytes) -> None:
        target = os.path.join(folder, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = f"{target}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(content)
        os.replace(tmp, target)

    return write
