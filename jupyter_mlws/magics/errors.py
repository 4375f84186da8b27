"""How the magics fail: one clear message in the cell, never a traceback of ours."""

from __future__ import annotations


class MagicError(Exception):
    """Fails the cell (so "Run all" stops) and shows only its lines.

    IPython renders an exception with ``_render_traceback_`` by those lines alone.
    """

    def __init__(self, message: str, usage: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage

    def _render_traceback_(self) -> list[str]:
        lines = [self.usage] if self.usage else []
        return [*lines, f"mlws: error: {self.message}"]
