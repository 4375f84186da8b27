"""Endpoint keys: made here, shown once, stored only as sha256 hashes."""

from __future__ import annotations

import secrets

from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.serving.layout import EndpointLayout
from jupyter_mlws.serving.runtime.config import write_json_atomic
from jupyter_mlws.serving.runtime.keys import hash_key
from jupyter_mlws.store import SqlStore

SLOTS = ("primary", "secondary")
ENV_KEY = "MLWS_ENDPOINT_KEY"


def new_key() -> str:
    return secrets.token_urlsafe(32)


def issue_keys(store: SqlStore, layout: EndpointLayout, name: str) -> dict[str, str]:
    """A fresh primary and secondary key; returns them in clear (the only time they exist)."""
    keys = {slot: new_key() for slot in SLOTS}
    for slot, key in keys.items():
        store.set_endpoint_key_hash(name, slot, hash_key(key))
    write_keys_file(store, layout, name)
    return keys


def regenerate_key(store: SqlStore, layout: EndpointLayout, name: str, slot: str) -> str:
    """A new key in ``slot``; the old one stops working within a second."""
    if slot not in SLOTS:
        raise InvalidParameterError(f"key slot must be one of {', '.join(SLOTS)}, got {slot!r}")
    key = new_key()
    store.set_endpoint_key_hash(name, slot, hash_key(key), activity="regenerate_key")
    write_keys_file(store, layout, name)
    return key


def write_keys_file(store: SqlStore, layout: EndpointLayout, name: str) -> None:
    """The hashes the running service checks against (it re-reads the file on change)."""
    layout.dir.mkdir(parents=True, exist_ok=True)
    write_json_atomic(layout.keys_path, store.endpoint_key_hashes(name))
