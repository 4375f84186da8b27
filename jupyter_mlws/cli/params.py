"""Parsing of ``key=value`` options shared by commands (and by the magics)."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Any

import click


def parse_pairs(values: Sequence[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected key=value, got {item!r}", param_hint=option)
        pairs[key] = value
    return pairs


def literal_or_string(text: str) -> Any:
    """``-p lr=0.1`` → 0.1, ``-p name=abc`` → "abc": literals when they are literals."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text
