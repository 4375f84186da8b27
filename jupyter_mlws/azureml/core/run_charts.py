"""v1's chart payloads (``log_confusion_matrix`` & co.): ``{schema_type, schema_version, data}``.

Checked here so that a malformed payload is refused when logged, not when charted.
"""

from __future__ import annotations

import json
from typing import Any

from jupyter_mlws.azureml.exceptions import UserErrorException

# The keys v1's ``data`` holds for each schema type.
REQUIRED_DATA: dict[str, tuple[str, ...]] = {
    "confusion_matrix": ("class_labels", "matrix"),
    "accuracy_table": (
        "probability_tables",
        "percentile_tables",
        "probability_thresholds",
        "percentile_thresholds",
        "class_labels",
    ),
    "residuals": ("bin_edges", "bin_counts"),
    "predictions": ("bin_averages", "bin_errors", "bin_counts", "bin_edges"),
}
SCHEMA_VERSION = "1.0.0"


def validate(name: str, value: Any, schema_type: str) -> dict[str, Any]:
    """The payload as a dict (``value`` may be a dict or its JSON string)."""
    if isinstance(value, (str, bytes)):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise UserErrorException(f"{name}: {schema_type} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise UserErrorException(f"{name}: a {schema_type} is a dict or a JSON string")
    data = value.get("data", value if "schema_type" not in value else None)
    if not isinstance(data, dict):
        raise UserErrorException(f"{name}: a {schema_type} needs a 'data' object")
    given = value.get("schema_type", schema_type)
    if given != schema_type:
        raise UserErrorException(f"{name}: schema_type is {given!r}, expected {schema_type!r}")
    missing = [k for k in REQUIRED_DATA[schema_type] if k not in data]
    if missing:
        raise UserErrorException(f"{name}: {schema_type} data lacks {', '.join(missing)}")
    if schema_type == "confusion_matrix":
        _check_matrix(name, data)
    return {
        "schema_type": schema_type,
        "schema_version": str(value.get("schema_version", SCHEMA_VERSION)),
        "data": data,
    }


def _check_matrix(name: str, data: dict[str, Any]) -> None:
    labels, matrix = data["class_labels"], data["matrix"]
    n = len(labels)
    if not isinstance(matrix, list) or len(matrix) != n or any(len(r) != n for r in matrix):
        raise UserErrorException(
            f"{name}: the confusion matrix must be {n}x{n} for {n} class labels"
        )
