"""Which notebook this kernel belongs to, so a run can link back to it.

Asked in order of cost: VS Code puts the path in the namespace; a Jupyter server
knows it through its sessions API (as W&B and ClearML ask it); a kernel started by a
server also has ``JPY_SESSION_NAME`` (set at start, so stale after a rename). Found
or not, the answer is kept for a minute: ``%%run`` must return fast.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

CACHE_SECONDS = 60.0
HTTP_TIMEOUT = 1.0
_cache: tuple[float, Path | None] | None = None


def find_notebook_path(user_ns: Mapping[str, Any]) -> Path | None:
    global _cache
    now = time.monotonic()
    if _cache is not None and now - _cache[0] < CACHE_SECONDS:
        return _cache[1]
    try:
        path = _lookup(user_ns)
    except Exception:  # best effort: a strange server or namespace must not stop %%run
        path = None
    _cache = (now, path)
    return path


def forget() -> None:
    global _cache
    _cache = None


def _lookup(user_ns: Mapping[str, Any]) -> Path | None:
    vscode = user_ns.get("__vsc_ipynb_file__")
    if isinstance(vscode, str) and vscode:
        return Path(vscode)
    kernel_id = current_kernel_id()
    if kernel_id:
        found = notebook_path_for_kernel(kernel_id, running_servers())
        if found is not None:
            return found
    session = os.environ.get("JPY_SESSION_NAME")
    if session and Path(session).is_absolute() and session.endswith(".ipynb"):
        return Path(session)
    return None


def current_kernel_id() -> str | None:
    """The id in the kernel's connection file name (``kernel-<id>.json``)."""
    try:
        from ipykernel.connect import get_connection_file

        name = Path(get_connection_file()).name
    except Exception:  # not in an ipykernel (terminal IPython, plain Python)
        return None
    if name.startswith("kernel-") and name.endswith(".json"):
        return name[len("kernel-") : -len(".json")]
    return None


def running_servers() -> list[dict[str, Any]]:
    try:
        from jupyter_server.serverapp import list_running_servers
    except ImportError:
        return []
    try:
        return list(list_running_servers())
    except OSError:
        return []


def notebook_path_for_kernel(kernel_id: str, servers: Iterable[Mapping[str, Any]]) -> Path | None:
    """Ask each server's ``api/sessions`` which notebook uses ``kernel_id``."""
    for server in servers:
        try:
            sessions = _get_sessions(server)
        except (OSError, ValueError):
            continue  # a dead or foreign server: try the next one
        for session in sessions:
            if (session.get("kernel") or {}).get("id") != kernel_id:
                continue
            path = session.get("path") or session.get("notebook", {}).get("path")
            if not path:
                continue
            root = server.get("root_dir") or server.get("notebook_dir") or ""
            return (Path(root).expanduser() / path) if root else Path(path)
    return None


def _get_sessions(server: Mapping[str, Any]) -> list[dict[str, Any]]:
    url = str(server["url"]).rstrip("/") + "/api/sessions"
    request = urllib.request.Request(url)
    token = server.get("token")
    if token:
        request.add_header("Authorization", f"token {token}")
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
        data = json.loads(response.read().decode("utf-8"))
    return data if isinstance(data, list) else []
