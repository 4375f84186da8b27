"""MLflow's run-search filter grammar, parsed into typed comparisons.

The grammar is ``clause (AND clause)*`` where a clause is ``entity.key OP value``
(``metrics.rmse < 0.5``, ``tags.`my tag` LIKE 'a%'``, ``attributes.status IN ('RUNNING')``).
Parsing is separate from SQL so the store can translate one typed form, and bad
filters fail here with MLflow's INVALID_PARAMETER_VALUE before any query runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from jupyter_mlws.exceptions import InvalidParameterError

Entity = Literal["metric", "param", "tag", "attribute", "dataset"]
Value = str | float | tuple[str, ...]

_ENTITY_ALIASES: dict[str, Entity] = {
    "metric": "metric",
    "metrics": "metric",
    "param": "param",
    "params": "param",
    "parameter": "param",
    "parameters": "param",
    "tag": "tag",
    "tags": "tag",
    "attribute": "attribute",
    "attributes": "attribute",
    "attr": "attribute",
    "run": "attribute",
    "dataset": "dataset",
    "datasets": "dataset",
}
_STRING_ATTRIBUTES = frozenset(
    {"run_id", "run_name", "status", "user_id", "artifact_uri", "lifecycle_stage"}
)
_NUMERIC_ATTRIBUTES = frozenset({"start_time", "end_time", "created"})
_NUMERIC_OPS = frozenset({"=", "!=", "<", "<=", ">", ">="})
_STRING_OPS = frozenset({"=", "!=", "LIKE", "ILIKE"})

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
      | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
      | (?P<op><=|>=|!=|<>|=|<|>)
      | (?P<punct>[(),])
      | (?P<ident>(?:[A-Za-z_]\w*)
          (?:\.(?:`[^`]+`|"[^"]+"|[\w.\-/:]*?(?=\s*(?:<=|>=|!=|<>|=|<|>|\s|$))))?)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Comparison:
    """One clause of a filter: ``entity.key op value``."""

    entity: Entity
    key: str
    op: str
    value: Value


def parse_filter(text: str | None) -> list[Comparison]:
    """Parse a filter string into AND-ed comparisons (empty for no filter)."""
    tokens = _tokenize(text or "")
    clauses: list[Comparison] = []
    position = 0
    while position < len(tokens):
        clause, position = _parse_clause(tokens, position, text or "")
        clauses.append(clause)
        if position < len(tokens):
            kind, word = tokens[position]
            if kind != "ident" or word.upper() != "AND":
                raise _invalid(text, f"expected AND, got {word!r}")
            position += 1
            if position == len(tokens):
                raise _invalid(text, "a clause must follow AND")
    return clauses


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _invalid(text, f"unexpected text at {text[position : position + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _parse_clause(
    tokens: list[tuple[str, str]], position: int, text: str
) -> tuple[Comparison, int]:
    kind, identifier = tokens[position]
    if kind != "ident" or "." not in identifier:
        raise _invalid(text, f"expected an identifier such as metrics.key, got {identifier!r}")
    prefix, _, raw_key = identifier.partition(".")
    entity = _ENTITY_ALIASES.get(prefix.lower())
    if entity is None:
        raise _invalid(text, f"unknown entity type {prefix!r}")
    key = _unquote_key(raw_key.strip())
    op, position = _parse_op(tokens, position + 1, text)
    value, position = _parse_value(tokens, position, text, op)
    return _checked(Comparison(entity, key, op, value), text), position


def _parse_op(tokens: list[tuple[str, str]], position: int, text: str) -> tuple[str, int]:
    if position >= len(tokens):
        raise _invalid(text, "a comparison operator is missing")
    kind, word = tokens[position]
    if kind == "op":
        return ("!=" if word == "<>" else word), position + 1
    upper = word.upper()
    if kind == "ident" and upper in {"LIKE", "ILIKE", "IN"}:
        return upper, position + 1
    followed_by_in = position + 1 < len(tokens) and tokens[position + 1][1].upper() == "IN"
    if kind == "ident" and upper == "NOT" and followed_by_in:
        return "NOT IN", position + 2
    raise _invalid(text, f"unknown operator {word!r}")


def _parse_value(
    tokens: list[tuple[str, str]], position: int, text: str, op: str
) -> tuple[Value, int]:
    if position >= len(tokens):
        raise _invalid(text, "a value is missing")
    if op in {"IN", "NOT IN"}:
        return _parse_list(tokens, position, text)
    kind, word = tokens[position]
    if kind == "string":
        return _unquote_string(word), position + 1
    if kind == "number":
        return float(word), position + 1
    raise _invalid(text, f"expected a value, got {word!r}")


def _parse_list(tokens: list[tuple[str, str]], position: int, text: str) -> tuple[Value, int]:
    if tokens[position] != ("punct", "("):
        raise _invalid(text, "IN needs a parenthesised list of strings")
    items: list[str] = []
    position += 1
    while position < len(tokens):
        kind, word = tokens[position]
        if kind != "string":
            raise _invalid(text, "IN lists hold quoted strings only")
        items.append(_unquote_string(word))
        position += 1
        if position < len(tokens) and tokens[position] == ("punct", ")"):
            return tuple(items), position + 1
        if position >= len(tokens) or tokens[position] != ("punct", ","):
            break
        position += 1
    raise _invalid(text, "an IN list is not closed")


def _checked(comparison: Comparison, text: str) -> Comparison:
    entity, key, op, value = comparison.entity, comparison.key, comparison.op, comparison.value
    numeric = entity == "metric" or (entity == "attribute" and key in _NUMERIC_ATTRIBUTES)
    if entity == "attribute" and key not in _STRING_ATTRIBUTES | _NUMERIC_ATTRIBUTES:
        raise _invalid(text, f"unknown attribute {key!r}")
    if numeric:
        if op not in _NUMERIC_OPS or not isinstance(value, float):
            raise _invalid(
                text, f"{entity} {key!r} compares to a number with {sorted(_NUMERIC_OPS)}"
            )
    elif op in {"IN", "NOT IN"}:
        if entity not in {"attribute", "dataset"}:
            raise _invalid(text, "IN applies to attributes and datasets only")
    elif op not in _STRING_OPS or not isinstance(value, str):
        raise _invalid(
            text, f"{entity} {key!r} compares to a quoted string with {sorted(_STRING_OPS)}"
        )
    return comparison


def _unquote_key(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in '`"':
        return raw[1:-1]
    return raw


def _unquote_string(word: str) -> str:
    quote = word[0]
    return word[1:-1].replace(quote * 2, quote)


def _invalid(text: str | None, reason: str) -> InvalidParameterError:
    return InvalidParameterError(f"Invalid filter {text!r}: {reason}")
