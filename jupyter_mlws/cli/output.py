"""How command results reach the user: text tables, JSON, or (in notebooks) HTML.

Commands hand plain data to an ``Output``; they never print directly. ``%mlws`` swaps
in a notebook renderer; ``--json`` swaps in JSON. One command tree, several faces.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from jupyter_mlws.formatting import fmt, fmt_duration, fmt_time
from jupyter_mlws.jsonable import dumps, to_jsonable

__all__ = ["JsonOutput", "Output", "Row", "fmt", "fmt_duration", "fmt_time", "to_jsonable"]

Row = Mapping[str, Any]


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
        self.text(dumps(data if data is not None else list(rows), indent=2))

    def record(self, fields: Mapping[str, Any], data: Any = None) -> None:
        self.text(dumps(data if data is not None else fields, indent=2))

    def stream_text(self, chunk: str) -> None:
        pass  # streamed logs would break the JSON document

    def object(self, obj: Any) -> None:
        self.text(dumps(obj, indent=2))
