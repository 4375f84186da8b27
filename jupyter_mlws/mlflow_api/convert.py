"""Our entities in MLflow's JSON shapes, and MLflow's request fields read into ours.

MLflow ids are strings: an experiment's is our numeric id as text (``"0"`` names the
``Default`` experiment, MLflow's implicit one), a run's is our run id. Statuses map
both ways (``RUN_STATUS``), ``mlflow.runName`` is the run's display name and
``mlflow.parentRunId`` its parent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from jupyter_mlws.entities import Experiment, LatestMetric, RunRecord, RunStatus
from jupyter_mlws.exceptions import InvalidParameterError, MlwsError

RUN_NAME_TAG = "mlflow.runName"
PARENT_TAG = "mlflow.parentRunId"
USER_TAG = "mlflow.user"
DEFAULT_EXPERIMENT_ID = "0"
INPUTS_KEY = "mlflow.inputs"  # run values of this key are the run's dataset inputs
INPUTS_KIND = "mlflow_dataset"
MAX_FLOAT = 1.7976931348623157e308

# ours → MLflow's RunStatus
RUN_STATUS: dict[RunStatus, str] = {
    RunStatus.NOT_STARTED: "SCHEDULED",
    RunStatus.QUEUED: "SCHEDULED",
    RunStatus.PREPARING: "SCHEDULED",
    RunStatus.RUNNING: "RUNNING",
    RunStatus.FINALIZING: "RUNNING",
    RunStatus.CANCEL_REQUESTED: "RUNNING",
    RunStatus.COMPLETED: "FINISHED",
    RunStatus.FAILED: "FAILED",
    RunStatus.CANCELED: "KILLED",
}
# MLflow's → ours
MLFLOW_STATUS: dict[str, RunStatus] = {
    "SCHEDULED": RunStatus.NOT_STARTED,
    "RUNNING": RunStatus.RUNNING,
    "FINISHED": RunStatus.COMPLETED,
    "FAILED": RunStatus.FAILED,
    "KILLED": RunStatus.CANCELED,
}


class EndpointNotFoundError(MlwsError, LookupError):
    error_code = "ENDPOINT_NOT_FOUND"
    http_status = 404


# ---- reading requests ------------------------------------------------------------------
def required(request: Mapping[str, Any], name: str) -> Any:
    value = request.get(name)
    if value is None or value == "":
        raise InvalidParameterError(f"Missing value for required parameter '{name}'")
    return value


def text(request: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    value = request.get(name, default)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else default
    if not isinstance(value, str):
        raise InvalidParameterError(f"Invalid value {value!r} for parameter '{name}' supplied")
    return value


def integer(request: Mapping[str, Any], name: str, default: int | None = None) -> int | None:
    value = request.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise InvalidParameterError(f"Invalid value {value!r} for parameter '{name}' supplied")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"Invalid value {value!r} for parameter '{name}' supplied"
        ) from None


def strings(request: Mapping[str, Any], name: str) -> list[str]:
    value = request.get(name)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) for item in items):
        raise InvalidParameterError(f"Invalid value {value!r} for parameter '{name}' supplied")
    return items


def run_id_of(request: Mapping[str, Any]) -> str:
    """``run_id``, else the legacy ``run_uuid`` the client sends beside it."""
    value = text(request, "run_id") or text(request, "run_uuid")
    if not value:
        raise InvalidParameterError("Missing value for required parameter 'run_id'")
    return value


def experiment_id_of(value: Any) -> int | None:
    """Our experiment id of an MLflow one; None for ``"0"`` (the default experiment)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        raise InvalidParameterError(f"Invalid experiment id {value!r}: ids are integers")
    number = int(value)
    return None if number == 0 else number


def metric_value(raw: Any, key: str) -> float:
    """A number, or MLflow's "NaN"/"Infinity"/"-Infinity"; ±inf clamped as MLflow does."""
    if isinstance(raw, str):
        try:
            value = float(raw)
        except ValueError:
            raise InvalidParameterError(
                f"Got invalid value {raw!r} for metric {key!r}: it must be a number"
            ) from None
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
    else:
        raise InvalidParameterError(f"Got invalid value {raw!r} for metric {key!r}")
    if math.isinf(value):
        return MAX_FLOAT if value > 0 else -MAX_FLOAT
    return value


def key_values(items: Any, what: str) -> dict[str, str]:
    """``[{key, value}]`` → dict (a value that is not text is written as JSON does)."""
    if items is None:
        return {}
    if not isinstance(items, list):
        raise InvalidParameterError(f"{what} must be a list of {{key, value}} objects")
    out: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise InvalidParameterError(f"each of {what} needs a string 'key'")
        value = item.get("value", "")
        out[item["key"]] = value if isinstance(value, str) else str(value)
    return out


# ---- writing responses -----------------------------------------------------------------
def json_number(value: float) -> float | str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def experiment(exp: Experiment, tags: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {
        "experiment_id": str(exp.id),
        "name": exp.name,
        "artifact_location": f"mlflow-artifacts:/{exp.id}",
        "lifecycle_stage": "deleted" if exp.archived else "active",
        "creation_time": exp.created_ms,
        "last_update_time": exp.created_ms,
        "tags": [{"key": k, "value": v} for k, v in sorted((tags or {}).items())],
    }


def run_tags(record: RunRecord) -> dict[str, str]:
    tags = {**record.tags, RUN_NAME_TAG: record.display_name}
    if record.parent_id:
        tags[PARENT_TAG] = record.parent_id
    return tags


def run_info(record: RunRecord, deleted: bool = False) -> dict[str, Any]:
    info: dict[str, Any] = {
        "run_id": record.id,
        "run_uuid": record.id,
        "experiment_id": str(record.experiment_id),
        "run_name": record.display_name,
        "user_id": record.tags.get(USER_TAG, ""),
        "status": RUN_STATUS[record.status],
        "start_time": record.started_ms if record.started_ms is not None else record.created_ms,
        "artifact_uri": f"mlflow-artifacts:/{record.experiment_id}/{record.id}/artifacts",
        "lifecycle_stage": "deleted" if deleted else "active",
    }
    if record.ended_ms is not None:
        info["end_time"] = record.ended_ms
    return info


def metric(key: str, value: float, step: int, timestamp: int) -> dict[str, Any]:
    return {"key": key, "value": json_number(value), "timestamp": timestamp, "step": step}


def run(
    record: RunRecord,
    latest: list[LatestMetric],
    inputs: list[dict[str, Any]],
    deleted: bool = False,
) -> dict[str, Any]:
    return {
        "info": run_info(record, deleted),
        "data": {
            "metrics": [metric(m.key, m.value, m.step, m.timestamp) for m in latest],
            "params": [{"key": k, "value": v} for k, v in sorted(record.params.items())],
            "tags": [{"key": k, "value": v} for k, v in sorted(run_tags(record).items())],
        },
        "inputs": {"dataset_inputs": inputs},
    }
