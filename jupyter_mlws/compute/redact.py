"""Redaction of secret values from a byte stream that arrives in arbitrary chunks.

A secret may straddle two reads, so each stream keeps back the few bytes at its end
that could be the start of a secret until the next chunk (or the end) decides them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from jupyter_mlws.tracking.run_data import secret_forms

MASK = b"***"


class Redactor:
    def __init__(self, values: Iterable[str]) -> None:
        # Longest first, so that a secret containing another is masked whole.
        self.values = sorted({v.encode() for v in values if v}, key=len, reverse=True)
        self._held = b""

    def __bool__(self) -> bool:
        return bool(self.values)

    def feed(self, chunk: bytes) -> bytes:
        """The redacted bytes that are safe to emit now."""
        if not self.values:
            return chunk
        data = self._mask(self._held + chunk)
        keep = self._partial_tail(data)
        self._held = data[len(data) - keep :] if keep else b""
        return data[: len(data) - keep]

    def finish(self) -> bytes:
        held, self._held = self._held, b""
        return self._mask(held)

    def _mask(self, data: bytes) -> bytes:
        for value in self.values:
            data = data.replace(value, MASK)
        return data

    def _partial_tail(self, data: bytes) -> int:
        """Length of the longest end of ``data`` that is a proper prefix of a secret."""
        best = 0
        for value in self.values:
            for n in range(min(len(value) - 1, len(data)), best, -1):
                if data.endswith(value[:n]):
                    best = n
                    break
        return best


def redact_text(text: str, values: Iterable[str]) -> str:
    for value in sorted({v for v in values if v}, key=len, reverse=True):
        text = text.replace(value, MASK.decode())
    return text


def redact_json(value: Any, secrets: Iterable[str]) -> Any:
    """Every string inside a JSON-like value, redacted."""
    secrets = list(secrets)
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, Mapping):
        return {k: redact_json(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_json(v, secrets) for v in value]
    return value


def redact_notebooks(folder: Path, values: Iterable[str]) -> None:
    """Mask secrets in the output notebooks under ``folder`` (cell outputs hold what the
    code printed), in their JSON-escaped form too."""
    forms = {f for v in values for f in secret_forms(v)}
    if not forms:
        return
    # Links are neither followed nor written through: a link in outputs/ may point at a
    # file outside the run (collect refuses those; rewriting them would edit that file).
    for top, _dirs, files in os.walk(folder, followlinks=False):
        for name in files:
            path = Path(top, name)
            if name.endswith(".ipynb") and not path.is_symlink():
                _redact_file(path, forms)


def _redact_file(path: Path, forms: set[str]) -> None:
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    masked = redact_text(text, forms)
    if masked != text:
        path.write_text(masked, encoding="utf-8", errors="surrogateescape")
