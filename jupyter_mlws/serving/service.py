"""``python -m jupyter_mlws.serving.service ENDPOINT_DIR``: an endpoint's process.

The workspace's edition of the runtime: the same supervisor and workers as a packaged
service, plus telemetry written to the workspace database by each worker, and collected
data (when the endpoint collects) written to the datastore chosen at deploy.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from jupyter_mlws.entities import EndpointMetricWindow
from jupyter_mlws.serving.runtime.collector import Writer
from jupyter_mlws.serving.runtime.config import ServiceConfig
from jupyter_mlws.serving.runtime.main import serve
from jupyter_mlws.serving.runtime.telemetry import Sink, Window


def telemetry_sink(config: ServiceConfig) -> Sink:
    """Called in each worker after the fork: the engine must not cross a fork."""
    from jupyter_mlws.store import SqlStore
    from jupyter_mlws.store.engine import make_engine

    settings = config.extras.get("telemetry") or {}
    if not settings:
        return lambda window: None
    store = SqlStore(make_engine(str(settings["db_url"])))
    name = str(settings["endpoint"])
    pid = os.getpid()

    def sink(window: Window) -> None:
        store.add_endpoint_metrics(
            name,
            [
                EndpointMetricWindow(
                    generation=config.generation,
                    worker_pid=pid,
                    start_ms=window.start_ms,
                    end_ms=window.end_ms,
                    count=window.count,
                    errors=window.errors,
                    client_errors=window.client_errors,
                    total_ms=window.total_ms,
                    histogram=window.histogram,
                )
            ],
        )

    return sink


def collected_data_writer(config: ServiceConfig) -> Writer:
    """Called in each worker after the fork: files go to the deploy-time datastore."""
    from jupyter_mlws.serving.collection import open_store

    fs, root = open_store(config.extras["data_collection"])

    def write(path: str, content: bytes) -> None:
        target = f"{root}/{path}"
        fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        fs.pipe_file(target, content)

    return write


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m jupyter_mlws.serving.service ENDPOINT_DIR", file=sys.stderr)
        return 2
    folder = Path(args[0])
    return serve(
        folder / "service.json",
        status_path=folder / "status.json",
        sink_factory=telemetry_sink,
        writer_factory=collected_data_writer,
    )


if __name__ == "__main__":
    sys.exit(main())
