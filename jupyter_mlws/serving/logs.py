"""An endpoint's log: what its supervisor, workers and ``score.py`` printed."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from jupyter_mlws.serving.layout import EndpointLayout


def read_log(layout: EndpointLayout, num_lines: int | None = None) -> str:
    try:
        text = layout.log_path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    if num_lines is None:
        return text
    lines = text.splitlines(keepends=True)
    return "".join(lines[-num_lines:]) if num_lines > 0 else ""


def follow_log(
    layout: EndpointLayout,
    still_running: Callable[[], bool],
    *,
    start_lines: int = 50,
    poll_s: float = 0.2,
) -> Iterator[str]:
    """The last lines, then new output as it is written, until the service is gone."""
    yield read_log(layout, start_lines)
    offset = layout.log_path.stat().st_size if layout.log_path.exists() else 0
    idle_checks = 0
    while True:
        chunk, offset = _read_from(layout, offset)
        if chunk:
            idle_checks = 0
            yield chunk
            continue
        idle_checks += 1
        if idle_checks % 10 == 0 and not still_running():
            chunk, offset = _read_from(layout, offset)
            if chunk:
                yield chunk
            return
        time.sleep(poll_s)


def _read_from(layout: EndpointLayout, offset: int) -> tuple[str, int]:
    try:
        with open(layout.log_path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size < offset:
                offset = 0  # rotated: the file started again
            handle.seek(offset)
            data = handle.read(1 << 20)
    except FileNotFoundError:
        return "", offset
    return data.decode("utf-8", errors="replace"), offset + len(data)
