"""``python -m mlws_runtime`` / ``serve.py``: run a scoring service from its ``service.json``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import ServiceConfig, load_config
from .supervisor import Supervisor
from .worker import SinkFactory, WriterFactory


def serve(
    config_path: Path,
    *,
    status_path: Path | None = None,
    sink_factory: SinkFactory | None = None,
    bind: str | None = None,
    port: int | None = None,
    workers: int | None = None,
    writer_factory: WriterFactory | None = None,
) -> int:
    """Serve until SIGTERM/SIGINT; the exit code says why it stopped (0: asked to)."""

    def load() -> ServiceConfig:
        return load_config(config_path).with_overrides(bind=bind, port=port, workers=workers)

    return Supervisor(load, status_path, sink_factory, writer_factory).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a jupyter-mlws scoring service.")
    parser.add_argument("--config", default="service.json", type=Path)
    parser.add_argument("--status", type=Path, help="write the service state here (JSON)")
    parser.add_argument("--bind", help="address to listen on (default: from the config)")
    parser.add_argument("--port", type=int)
    parser.add_argument("--workers", type=int)
    args = parser.parse_args(argv)
    return serve(
        args.config, status_path=args.status, bind=args.bind, port=args.port, workers=args.workers
    )


if __name__ == "__main__":
    sys.exit(main())
