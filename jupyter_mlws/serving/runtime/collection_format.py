"""What collected data looks like and its defaults, apart from the collector itself.

Standard library only (no orjson): the workspace side (``serving.collection``, loaded by
the Jupyter server extension and the CLI) reads these without the ``serving`` extra.
"""

from __future__ import annotations

DEFAULT_QUEUE_SIZE = 10_000
DEFAULT_FLUSH_S = 1.0
COLUMNS = ("time", "ts", "request_id", "endpoint", "generation", "models", "input", "output")
