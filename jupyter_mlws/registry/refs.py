"""How models are named and referred to: ``name``, ``name:3``, ``name@production``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from jupyter_mlws.exceptions import InvalidParameterError

_MODEL_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,254}$")
_ALIAS_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,127}$")
RESERVED_ALIASES = frozenset({"latest"})


def validate_model_name(name: str) -> str:
    if not isinstance(name, str) or not _MODEL_NAME_RE.match(name):
        raise InvalidParameterError(
            f"invalid model name {name!r}: use 1-255 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit"
        )
    return name


def validate_alias(alias: str) -> str:
    if not isinstance(alias, str) or not _ALIAS_RE.match(alias) or alias in RESERVED_ALIASES:
        raise InvalidParameterError(
            f"invalid alias {alias!r}: use 1-128 letters, digits, '_' or '-', starting with a "
            "letter ('latest' is reserved)"
        )
    return alias


@dataclass(frozen=True)
class ModelRef:
    """A model version by number, by alias, or the latest (neither)."""

    name: str
    version: int | None = None
    alias: str | None = None

    def __str__(self) -> str:
        if self.version is not None:
            return f"{self.name}:{self.version}"
        if self.alias is not None:
            return f"{self.name}@{self.alias}"
        return self.name


def parse_model_ref(ref: str, version: int | None = None, alias: str | None = None) -> ModelRef:
    """``name`` (latest), ``name:3``, ``name:latest`` or ``name@alias``."""
    if not isinstance(ref, str):
        raise InvalidParameterError(f"a model reference is a string, got {ref!r}")
    name, at, given_alias = ref.partition("@")
    name, colon, given_version = name.partition(":")
    if at:
        alias = validate_alias(given_alias)
    if colon and given_version != "latest":
        try:
            version = int(given_version)
        except ValueError:
            raise InvalidParameterError(
                f"invalid model reference {ref!r}: expected NAME, NAME:VERSION or NAME@ALIAS"
            ) from None
    if version is not None and (isinstance(version, bool) or version < 1):
        raise InvalidParameterError(f"model versions start at 1, got {version!r}")
    if version is not None and alias is not None:
        raise InvalidParameterError(f"give a version or an alias for {ref!r}, not both")
    return ModelRef(validate_model_name(name), version, alias)
