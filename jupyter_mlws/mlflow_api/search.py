"""MLflow's run search over our runs: the parsed filter, ``order_by`` and page tokens.

The experiments' runs are read through the services (observed, as every listing) and
matched here clause by clause, so each filter means what MLflow says it means: a run
without the metric, param or tag a clause names does not match it, ``LIKE`` is case
sensitive and ``ILIKE`` not, and a run with no value for an ``order_by`` key sorts last.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from jupyter_mlws.entities import RunRecord
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.mlflow_api.convert import RUN_STATUS, run_info, run_tags
from jupyter_mlws.mlflow_api.search_filter import Comparison, parse_filter
from jupyter_mlws.services import runs as run_service
from jupyter_mlws.services.runs import RunQuery
from jupyter_mlws.tracking import Workspace

MAX_RESULTS = 50_000
_LISTING_PAGE = 10_000
_ORDER = re.compile(r"^\s*(?P<ident>.+?)(?:\s+(?P<dir>ASC|DESC))?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class OrderKey:
    entity: str
    key: str
    descending: bool


def experiment_runs(ws: Workspace, experiment_ids: Sequence[int]) -> list[RunRecord]:
    """Every run of these experiments (children included), newest first."""
    out: list[RunRecord] = []
    for experiment_id in experiment_ids:
        token: str | None = None
        while True:
            query = RunQuery(
                experiment=str(experiment_id),
                include_children=True,
                limit=_LISTING_PAGE,
                page_token=token,
            )
            page = run_service.list_runs(ws, query)
            out.extend(page.runs)
            token = page.next_page_token
            if token is None:
                break
    return out


def search(
    records: list[RunRecord],
    filter_text: str | None,
    order_by: Sequence[str],
    max_results: int,
    page_token: str | None,
) -> tuple[list[RunRecord], str | None]:
    """The page of matching runs in order, and the next page's token (None: last page)."""
    if not 1 <= max_results <= MAX_RESULTS:
        raise InvalidParameterError(
            f"Invalid value {max_results} for parameter 'max_results' supplied: it must be "
            f"between 1 and {MAX_RESULTS}"
        )
    clauses = parse_filter(filter_text)
    keys = [parse_order_by(text) for text in order_by]
    matched = [r for r in records if all(_matches(r, c) for c in clauses)]
    # stable sorts, last key first; MLflow's tiebreak: start_time DESC, then run_id
    matched.sort(key=lambda r: r.id)
    matched.sort(key=lambda r: r.started_ms or r.created_ms, reverse=True)
    for order in reversed(keys):
        present = [r for r in matched if _order_value(r, order) is not None]
        missing = [r for r in matched if _order_value(r, order) is None]
        present.sort(key=lambda r: _order_value(r, order), reverse=order.descending)
        matched = present + missing
    offset = decode_token(page_token)
    page = matched[offset : offset + max_results]
    more = offset + max_results < len(matched)
    return page, encode_token(offset + max_results) if more else None


def parse_order_by(text: str) -> OrderKey:
    found = _ORDER.match(text or "")
    if found is None:
        raise InvalidParameterError(f"Invalid order_by clause {text!r}")
    ident = found.group("ident").strip()
    descending = (found.group("dir") or "ASC").upper() == "DESC"
    if "." in ident and not ident.startswith(("`", '"')):
        comparisons = parse_filter(f"{ident} = 0") if _is_numeric(ident) else None
        if comparisons is None:
            comparisons = parse_filter(f"{ident} = ''")
        first = comparisons[0]
        return OrderKey(first.entity, first.key, descending)
    name = ident.strip('`"')
    parse_filter(f"attributes.{name} = {'0' if _numeric_attr(name) else repr('')}")
    return OrderKey("attribute", name, descending)


def _is_numeric(ident: str) -> bool:
    prefix, _, key = ident.partition(".")
    if prefix.lower() in ("metric", "metrics"):
        return True
    return prefix.lower() in ("attribute", "attributes", "attr", "run") and _numeric_attr(key)


def _numeric_attr(name: str) -> bool:
    return name in ("start_time", "end_time", "created")


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    prefix, _, number = text.partition(":")
    if prefix != "offset" or not number.isdigit():
        raise InvalidParameterError(f"Invalid page token {token!r}")
    return int(number)


# ---- matching --------------------------------------------------------------------------
def _attribute(record: RunRecord, key: str) -> str | float | None:
    if key in ("start_time", "created"):
        return float(record.started_ms or record.created_ms)
    if key == "end_time":
        return None if record.ended_ms is None else float(record.ended_ms)
    if key == "status":
        return RUN_STATUS[record.status]
    value = run_info(record).get(key)
    return None if value is None else str(value)


def _value(record: RunRecord, entity: str, key: str) -> str | float | None:
    if entity == "metric":
        return record.metrics.get(key)
    if entity == "param":
        return record.params.get(key)
    if entity == "tag":
        return run_tags(record).get(key)
    if entity == "attribute":
        return _attribute(record, key)
    return None  # datasets: runs logged through MLflow carry them only as documents


def _order_value(record: RunRecord, order: OrderKey) -> Any:
    value = _value(record, order.entity, order.key)
    if isinstance(value, float) and value != value:  # NaN sorts with the missing
        return None
    return value


def _matches(record: RunRecord, clause: Comparison) -> bool:
    return matches_value(_value(record, clause.entity, clause.key), clause)


def matches_value(value: str | float | None, clause: Comparison) -> bool:
    """Whether a run's (or an experiment's) value satisfies the clause; None never does."""
    if value is None:
        return False
    op, wanted = clause.op, clause.value
    if op == "IN":
        return isinstance(wanted, tuple) and str(value) in wanted
    if op == "NOT IN":
        return isinstance(wanted, tuple) and str(value) not in wanted
    if op in ("LIKE", "ILIKE"):
        return isinstance(wanted, str) and _like(wanted, op == "ILIKE")(str(value)) is not None
    compare = _COMPARE[op]
    if isinstance(wanted, float):
        return isinstance(value, float) and compare(value, wanted)
    return isinstance(wanted, str) and compare(str(value), wanted)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@cache
def _like(pattern: str, ignore_case: bool) -> Callable[[str], re.Match[str] | None]:
    parts = ["." if ch == "_" else ".*" if ch == "%" else re.escape(ch) for ch in pattern]
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile("".join(parts), flags).fullmatch


# ---- filters over named values (experiments, registered models, model versions) --------
Values = dict[tuple[str, str], str | float | None]
"""("attr", field) or ("tag", key) → the value (None: the entity has none)."""

_FIELD_CLAUSE = re.compile(
    r"\s*(?:(?P<tag>tags?)\.(?P<key>`[^`]+`|\"[^\"]+\"|[\w.\-/:]+?)"
    r"|(?:attributes?\.)?(?P<attr>[A-Za-z_]\w*))(?=\s|=|!|<|>)\s*(?P<rest>.*)",
    re.DOTALL,
)


def values_filter(
    text: str | None, fields: frozenset[str], numeric: frozenset[str]
) -> Callable[[Values], bool]:
    """MLflow's filter for experiments and the registry: ``field OP value`` (one of
    ``fields``, numbers for ``numeric``) and ``tags.<key> OP 'value'`` joined by AND."""
    clauses: list[tuple[tuple[str, str], Comparison]] = []
    for part in _split_and(text or ""):
        found = _FIELD_CLAUSE.fullmatch(part)
        if found is None:
            raise InvalidParameterError(f"Invalid filter {text!r}: cannot read {part.strip()!r}")
        rest = found.group("rest")
        if found.group("tag"):
            key = found.group("key").strip('`"')
            clauses.append((("tag", key), parse_filter(f"tags.`{key}` {rest}")[0]))
            continue
        attr = found.group("attr").lower()
        if attr not in fields:
            raise InvalidParameterError(
                f"Invalid filter {text!r}: filter on tags or on {', '.join(sorted(fields))}"
            )
        stand_in = "start_time" if attr in numeric else "run_id"  # a number / a string
        clauses.append((("attr", attr), parse_filter(f"attributes.{stand_in} {rest}")[0]))

    def match(values: Values) -> bool:
        # a missing tag is "!=" any value (the client adds ``tag.`mlflow.prompt.is_prompt`
        # != 'true'`` to every registered-model search, to leave prompts out)
        return all(
            (c.op == "!=" and key[0] == "tag" and values.get(key) is None)
            or matches_value(values.get(key), c)
            for key, c in clauses
        )

    return match


def _split_and(text: str) -> list[str]:
    """The clauses between ANDs outside quotes."""
    parts: list[str] = []
    quote: str | None = None
    start = i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif (
            text[i : i + 3].upper() == "AND"
            and (i == 0 or text[i - 1].isspace())
            and i + 3 < len(text)
            and text[i + 3].isspace()
        ):
            parts.append(text[start:i])
            start = i = i + 3
            continue
        i += 1
    parts.append(text[start:])
    if not text.strip():
        return []
    if any(not p.strip() for p in parts):
        raise InvalidParameterError(f"Invalid filter {text!r}: an empty clause")
    return parts
