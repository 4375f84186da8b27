"""A notebook's parameters, as papermill infers them from its ``parameters``-tagged cell."""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.notebooks._deps import require_papermill, skip_slow_optional_imports


@dataclass(frozen=True)
class NotebookParameter:
    """One parameter: ``default`` is the source text of its default value."""

    name: str
    type: str
    default: str
    help: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def inspect_parameters(notebook: str | os.PathLike[str]) -> list[NotebookParameter]:
    """Names, inferred types and defaults of the ``parameters`` cell (papermill's rules).

    A notebook without such a cell has no parameters (an empty list).
    """
    path = Path(notebook)
    if not path.is_file():
        raise InvalidParameterError(f"no such notebook {str(path)!r}")
    require_papermill()
    skip_slow_optional_imports()
    from papermill.inspection import inspect_notebook

    try:
        found = inspect_notebook(str(path))
    except Exception as exc:  # unreadable JSON, unknown kernel language, …
        raise InvalidParameterError(f"cannot inspect {str(path)!r}: {exc}") from None
    return [
        NotebookParameter(
            name=p["name"],
            type=_type_name(p["inferred_type_name"], p["default"]),
            default=p["default"],
            help=p["help"],
        )
        for p in found.values()
    ]


def _type_name(annotated: str | None, default: str) -> str:
    """The annotation if there is one, else the type of the default's literal value.

    papermill reports an unannotated ``epochs = 3`` as type "None"; its value says int.
    A default that is no literal (``n = len(data)``) has no type we can name: "".
    """
    if annotated and annotated != "None":
        return annotated
    try:
        value = ast.literal_eval(default)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return ""
    return "None" if value is None else type(value).__name__


def applied_parameters(
    notebook: str | os.PathLike[str], given: Mapping[str, Any], *, allow_unknown: bool = False
) -> dict[str, Any]:
    """Every parameter a run of ``notebook`` uses: its defaults, with ``given`` over them.

    papermill injects a name the ``parameters`` cell does not define with only a warning
    in the run's log, and the run "succeeds" without it having any effect; so such a
    name is refused here, naming the parameters the notebook has (``allow_unknown``
    injects it anyway). A default that is no literal is recorded as its source text.
    """
    known = {p.name: p for p in inspect_parameters(notebook)}
    unknown = [name for name in given if name not in known]
    if unknown and not allow_unknown:
        if known:
            has = f"its parameters are {', '.join(known)}"
        elif _has_parameters_cell(Path(notebook)):
            has = "its parameters cell defines none (one NAME = VALUE per line)"
        else:
            has = "it has no cell tagged 'parameters'"
        raise InvalidParameterError(
            f"notebook {Path(notebook).name!r} has no parameter "
            f"{', '.join(repr(n) for n in unknown)}: {has} "
            "(--allow-unknown-params injects it anyway)"
        )
    applied: dict[str, Any] = {name: _default_value(p.default) for name, p in known.items()}
    applied.update(given)
    return applied


def _has_parameters_cell(path: Path) -> bool:
    import json

    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    return any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells)


def _default_value(source: str) -> Any:
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return source
