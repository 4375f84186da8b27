"""``python -m jupyter_mlws.serving.service ENDPOINT_DIR``: an endpoint's process.

The workspace's edition of the runtime: the same supervisor and workers as a packaged
service, plus telemetry written to the workspace database by each worker.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from jupyter_mlws.entities import EndpointMetricWindow
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


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m jupyter_mlws.serving.service ENDPOINT_DIR", file=sys.stderr)
        return 2
    folder = Path(args[0])
    return serve(
        folder / "service.json", status_path=folder / "status.json", sink_factory=telemetry_sink
    )


if __name__ == "__main__":
    sys.exit(main())
