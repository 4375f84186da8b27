"""Small HTML fragments shared by the widgets: badges, key/value tables, log text."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from jupyter_mlws.entities import RunStatus
from jupyter_mlws.formatting import fmt

STATUS_COLORS: dict[RunStatus, str] = {
    RunStatus.NOT_STARTED: "#6b7280",
    RunStatus.QUEUED: "#6b7280",
    RunStatus.PREPARING: "#2563eb",
    RunStatus.RUNNING: "#2563eb",
    RunStatus.FINALIZING: "#2563eb",
    RunStatus.CANCEL_REQUESTED: "#d97706",
    RunStatus.COMPLETED: "#16a34a",
    RunStatus.FAILED: "#dc2626",
    RunStatus.CANCELED: "#d97706",
}


def esc(value: Any) -> str:
    return html.escape(fmt(value) if not isinstance(value, str) else value)


def badge(status: RunStatus) -> str:
    color = STATUS_COLORS.get(status, "#6b7280")
    return (
        f'<span class="mlws-status" style="background:{color};color:white;border-radius:8px;'
        f'padding:1px 8px;font-size:0.85em">{esc(status.value)}</span>'
    )


def key_values(title: str, values: Mapping[str, Any]) -> str:
    heading = f"<b>{esc(title)}</b>" if title else ""
    if not values:
        return f"{heading}: <i>none</i><br>" if title else "<i>(none)</i>"
    rows = "".join(
        f"<tr><td style='text-align:left;padding-right:1em'><code>{esc(k)}</code></td>"
        f"<td style='text-align:left'>{esc(v)}</td></tr>"
        for k, v in values.items()
    )
    return f"{heading}<table class='mlws-kv' style='margin-left:0'>{rows}</table>"


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    if not rows:
        return "<i>(none)</i>"
    head = "".join(f"<th style='text-align:left'>{esc(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(f"<td style='text-align:left'>{esc(r.get(c))}</td>" for c in columns)
        + "</tr>"
        for r in rows
    )
    return (
        f"<table class='mlws-table' style='margin-left:0'><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def pre(text: str, max_height: str = "300px") -> str:
    return (
        f"<pre class='mlws-pre' style='max-height:{max_height};overflow:auto;white-space:pre-wrap;"
        f"margin:0'>{html.escape(text)}</pre>"
    )


def message(text: str, kind: str = "warning") -> str:
    color = {"warning": "#b45309", "error": "#dc2626", "info": "#374151"}.get(kind, "#374151")
    return f"<div class='mlws-message' style='color:{color}'>{html.escape(text)}</div>"
