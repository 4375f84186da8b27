"""How command results reach the user: text tables, JSON, or (in notebooks) HTML.

Commands hand plain data to an ``Output``; they never print directly. ``%mlws`` swaps
in a notebook renderer; ``--json`` swaps in JSON. One command tree, several faces.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, TextIO

Row = Mapping[str, Any]


def fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if not math.isfinite(value) else f"{value:.6g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={fmt(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt(v) for v in value)
    return str(value)


def fmt_time(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def fmt_duration(ms: int | None) -> str:
    if ms is None:
        return ""
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s"


def to_jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "to_dict"):
        return to_jsonable(value.to_dict())
    return value


class Output:
    """Plain text for terminals."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def text(self, message: str) -> None:
        self.stream.write(message + "\n")
        self.stream.flush()

    def table(self, rows: Sequence[Row], columns: Sequence[str], data: Any = None) -> None:
        if not rows:
            self.text("(none)")
            return
        cells = [[fmt(r.get(c)) for c in columns] for r in rows]
        widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
        self.text("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip())
        for row in cells:
            self.text("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())

    def record(self, fields: Mapping[str, Any], data: Any = None) -> None:
        width = max((len(k) for k in fields), default=0)
        for key, value in fields.items():
            self.text(f"{key.ljust(width)}  {fmt(value)}")

    def stream_text(self, chunk: str) -> None:
        self.stream.write(chunk)
        self.stream.flush()

    def object(self, obj: Any) -> None:
        """A rich object (a Run, an Experiment): notebooks show a widget, text shows repr."""
        self.text(repr(obj))


class JsonOutput(Output):
    """``--json``: exactly one JSON document per command on stdout."""

    def table(self, rows: Sequence[Row], columns: Sequence[str], data: Any = None) -> None:
        self.text(json.dumps(to_jsonable(data if data is not None else list(rows)), indent=2))

    def record(self, fields: Mapping[str, Any], data: Any = None) -> None:
        self.text(json.dumps(to_jsonable(data if data is not None else fields), indent=2))

    def stream_text(self, chunk: str) -> None:
        pass  # streamed logs would break the JSON document

    def object(self, obj: Any) -> None:
        self.text(json.dumps(to_jsonable(obj), indent=2))
