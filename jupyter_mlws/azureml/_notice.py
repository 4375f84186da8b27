"""Saying once what a v1 call did locally (subscriptions, auth, VM sizes, …)."""

from __future__ import annotations

import sys
import threading

PREFIX = "[mlws azureml]"
_said: set[str] = set()
_lock = threading.Lock()


def say_once(key: str, message: str) -> None:
    """Print ``message`` on stderr the first time ``key`` comes up in this process."""
    with _lock:
        if key in _said:
            return
        _said.add(key)
    print(f"{PREFIX} {message}", file=sys.stderr, flush=True)
