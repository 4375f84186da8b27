"""Key checks: the service knows only the sha256 of each key, never the key."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from pathlib import Path

RELOAD_EVERY_S = 0.5
"""How soon a regenerated key takes effect (and the old one stops working)."""


def hash_key(key: str) -> str:
    # Keys are 256 random bits: a fast hash is enough (no dictionary attack can apply).
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyRing:
    """Accepts ``Authorization: Bearer KEY`` when sha256(KEY) is one of the stored hashes."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self._hashes: tuple[bytes, ...] = ()
        self._accepted: set[str] = set()
        self._mtime_ns = -1
        self._checked = 0.0
        self._reload()

    def check(self, authorization: str | None) -> bool:
        now = time.monotonic()
        if now - self._checked > RELOAD_EVERY_S:
            self._checked = now
            self._reload()
        if not authorization:
            return False
        if authorization in self._accepted:
            return True
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key:
            return False
        digest = hash_key(key.strip()).encode()
        found = False
        for known in self._hashes:  # compare with all: no early exit to time
            found |= hmac.compare_digest(digest, known)
        if found:  # at most one entry per valid key: hashing it again is wasted work
            self._accepted.add(authorization)
        return found

    def _reload(self) -> None:
        if self.path is None:
            return
        try:
            mtime = os.stat(self.path).st_mtime_ns
            if mtime == self._mtime_ns:
                return
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # keep the last good keys; a missing file must not open the door
        self._mtime_ns = mtime
        self._hashes = tuple(str(h).encode() for h in data.values() if h)
        self._accepted = set()
