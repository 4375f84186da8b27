"""What a run logged besides scalar series, as HTML: tables (``log_row``/``log_table``),
lists, strings and images (``log_image``, shown inline).

Used by ``RunDetails`` (its "Tables & images" tab) and by the static view that saved
notebooks keep, so both show the same thing.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jupyter_mlws.entities import RunRecordValue
from jupyter_mlws.widgets import html

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Run

MAX_TABLE_ROWS = 50
MAX_IMAGE_BYTES = 2_000_000  # larger images are listed, not inlined (notebooks stay small)
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}  # fmt: skip


def grouped(values: Sequence[RunRecordValue]) -> dict[str, list[RunRecordValue]]:
    out: dict[str, list[RunRecordValue]] = {}
    for item in values:
        out.setdefault(item.key, []).append(item)
    return out


def table_columns(items: Sequence[RunRecordValue]) -> dict[str, list[Any]]:
    """Rows logged one by one, or the last table logged whole, as ``{column: values}``."""
    if items[-1].kind == "table":
        return {str(k): list(v) for k, v in items[-1].value.items()}
    columns: dict[str, list[Any]] = {}
    rows = [i.value for i in items if i.kind == "row"]
    for name in dict.fromkeys(k for row in rows for k in row):
        columns[name] = [row.get(name) for row in rows]
    return columns


def columns_html(columns: Mapping[str, Sequence[Any]]) -> str:
    names = list(columns)
    length = max((len(v) for v in columns.values()), default=0)
    rows = [
        {n: columns[n][i] if i < len(columns[n]) else None for n in names}
        for i in range(min(length, MAX_TABLE_ROWS))
    ]
    more = f"<small>first {MAX_TABLE_ROWS} of {length} rows</small>" if length > len(rows) else ""
    return html.table(rows, names) + more


def image_html(run: Run, path: str, name: str) -> str:
    suffix = path[path.rfind(".") :].lower() if "." in path else ""
    mime = IMAGE_TYPES.get(suffix)
    try:
        entry = run.get_file(path)
    except Exception:  # an image whose artifact is gone: say so, do not fail the view
        return html.message(f"{name}: image {path} is missing", "warning")
    if mime is None or entry.size > MAX_IMAGE_BYTES:
        return f"<div><code>{html.esc(path)}</code> ({entry.size} bytes)</div>"
    data = base64.b64encode(run.read_file(path)).decode("ascii")
    return (
        f"<img class='mlws-image' alt='{html.esc(name)}' title='{html.esc(path)}' "
        f"style='max-width:100%;max-height:360px' src='data:{mime};base64,{data}'>"
    )


def values_html(run: Run, values: Sequence[RunRecordValue]) -> str:
    """Every non-scalar value of the run, one titled section per name."""
    sections = []
    for name, items in grouped(values).items():
        kind = items[-1].kind
        if kind in ("row", "table"):
            body = columns_html(table_columns(items))
        elif kind == "image":
            body = "".join(image_html(run, str(i.value.get("path", "")), name) for i in items)
        elif kind == "list":
            body = html.esc(items[-1].value)
        else:
            body = "<br>".join(html.esc(i.value) for i in items)
        sections.append(
            f"<div class='mlws-logged' data-name='{html.esc(name)}' data-kind='{kind}'>"
            f"<b>{html.esc(name)}</b> <small style='color:#6b7280'>{kind}</small>{body}</div>"
        )
    return "".join(sections)
