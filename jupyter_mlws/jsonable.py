"""The one JSON rule: JSON has no NaN or infinity, so they travel as "nan", "inf", "-inf".

Every door that writes JSON (REST, ``--json``, the change feed) goes through here, so a
metric that went NaN reads the same everywhere. The store keeps NaN in its own blobs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any


def json_float(value: float) -> float | str:
    """A float as JSON can carry it."""
    return value if math.isfinite(value) else str(value)


def to_jsonable(value: Any) -> Any:
    """Plain JSON data: non-finite floats as strings, objects through their ``to_dict``."""
    if isinstance(value, float):
        return json_float(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "to_dict"):
        return to_jsonable(value.to_dict())
    return value


def dumps(value: Any, indent: int | None = None) -> str:
    """JSON text of ``value`` under the rule above (anything else unknown as ``str``)."""
    return json.dumps(to_jsonable(value), indent=indent, allow_nan=False, default=str)
