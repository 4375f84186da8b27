"""Parsing of ``key=value`` options shared by commands (and by the magics)."""

from __future__ import annotations

import ast
import re
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


# text a user means as a number: digits, dots, signs, exponents (0.1, -3, 1e-4, 0.1.2)
_NUMBER_LIKE = re.compile(r"[+-]?(\d[\d_]*\.?[\d_.]*|\.\d[\d_.]*)([eE][+-]?[\d_.]+)?")


def literal_or_string(text: str) -> Any:
    """``-p lr=0.1`` → 0.1, ``-p name=abc`` → "abc": literals when they are literals.

    Text that looks like a number must be one: ``0.1.2`` is a typo, not the string
    "0.1.2" a training loop would fail on much later (ValueError names it).
    """
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        value = text
    if _NUMBER_LIKE.fullmatch(text.strip()) and (
        isinstance(value, bool) or not isinstance(value, (int, float))
    ):
        raise ValueError(f"{text!r} is not a valid number (quote it to pass it as text)")
    return value


def parse_params(values: Sequence[str], option: str = "--param") -> dict[str, Any]:
    """``-p NAME=VALUE`` options, values read by ``literal_or_string``."""
    params: dict[str, Any] = {}
    for key, text in parse_pairs(values, option).items():
        try:
            params[key] = literal_or_string(text)
        except ValueError as exc:
            raise click.BadParameter(f"{key}: {exc}", param_hint=option) from None
    return params
