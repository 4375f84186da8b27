"""MLflow's tracking REST endpoints (``/api/2.0/mlflow/...``) over the services.

``ENDPOINTS`` maps (method, path) to a function of the workspace and the request (the
JSON body, or the query arguments of a GET) returning the response object. Every
function is blocking: the server runs it on its worker pool.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jupyter_mlws.entities import Experiment, RunRecord
from jupyter_mlws.exceptions import (
    ImmutableValueError,
    InvalidParameterError,
    ResourceNotFoundError,
)
from jupyter_mlws.mlflow_api import convert as cv
from jupyter_mlws.mlflow_api import registry
from jupyter_mlws.mlflow_api import search as run_search
from jupyter_mlws.services import client_runs
from jupyter_mlws.services import experiments as exp_service
from jupyter_mlws.services import runs as run_service
from jupyter_mlws.workspace import Workspace

Request = Mapping[str, Any]
Endpoint = Callable[[Workspace, Request], dict[str, Any]]

MAX_BATCH_METRICS = 1000
MAX_BATCH_PARAMS = 100
MAX_BATCH_TAGS = 100
MAX_BATCH_TOTAL = 1000
MAX_HISTORY = 25_000
MAX_EXPERIMENTS = 50_000
_EXPERIMENT_FIELDS = frozenset({"name", "creation_time", "last_update_time"})
_EXPERIMENT_NUMBERS = frozenset({"creation_time", "last_update_time"})


# ---- experiments -----------------------------------------------------------------------
def _experiment(ws: Workspace, raw: Any) -> Experiment:
    number = cv.experiment_id_of(raw)
    if number is None:
        return client_runs.default_experiment(ws)
    try:
        return exp_service.get_experiment(ws, str(number))
    except ResourceNotFoundError:
        raise ResourceNotFoundError(f"No Experiment with id={number} exists") from None


def create_experiment(ws: Workspace, req: Request) -> dict[str, Any]:
    name = cv.text(req, "name")
    if not name:
        raise InvalidParameterError("Missing value for required parameter 'name'")
    tags = cv.key_values(req.get("tags"), "tags")
    exp = client_runs.create_experiment(ws, name)
    for key, value in tags.items():
        client_runs.set_experiment_tag(ws, exp.id, key, value)
    return {"experiment_id": str(exp.id)}


def _experiments_json(ws: Workspace, found: list[Experiment]) -> list[dict[str, Any]]:
    tags = client_runs.experiment_tags_of(ws, [e.id for e in found])
    return [cv.experiment(e, tags.get(e.id)) for e in found]


def get_experiment(ws: Workspace, req: Request) -> dict[str, Any]:
    exp = _experiment(ws, cv.required(req, "experiment_id"))
    return {"experiment": _experiments_json(ws, [exp])[0]}


def get_experiment_by_name(ws: Workspace, req: Request) -> dict[str, Any]:
    name = cv.text(req, "experiment_name")
    if not name:
        raise InvalidParameterError("Missing value for required parameter 'experiment_name'")
    found = [e for e in exp_service.list_experiments(ws, include_archived=True) if e.name == name]
    if not found:
        raise ResourceNotFoundError(f"Could not find experiment with name '{name}'")
    active = [e for e in found if not e.archived]
    return {"experiment": _experiments_json(ws, [(active or found)[-1]])[0]}


def search_experiments(ws: Workspace, req: Request) -> dict[str, Any]:
    max_results = cv.integer(req, "max_results", 1000) or 1000
    if not 1 <= max_results <= MAX_EXPERIMENTS:
        raise InvalidParameterError(
            f"Invalid value {max_results} for parameter 'max_results' supplied"
        )
    view = cv.text(req, "view_type", "ACTIVE_ONLY") or "ACTIVE_ONLY"
    wanted = {"ACTIVE_ONLY": {False}, "DELETED_ONLY": {True}, "ALL": {False, True}}.get(view)
    if wanted is None:
        raise InvalidParameterError(f"Invalid value {view!r} for parameter 'view_type' supplied")
    found = [e for e in exp_service.list_experiments(ws, True) if e.archived in wanted]
    match = run_search.values_filter(
        cv.text(req, "filter"), _EXPERIMENT_FIELDS, _EXPERIMENT_NUMBERS
    )
    tags = client_runs.experiment_tags_of(ws, [e.id for e in found])
    found = [e for e in found if match(_experiment_values(e, tags.get(e.id, {})))]
    found = _order_experiments(found, cv.strings(req, "order_by"))
    offset = run_search.decode_token(cv.text(req, "page_token"))
    page = found[offset : offset + max_results]
    reply: dict[str, Any] = {"experiments": _experiments_json(ws, page)}
    if offset + max_results < len(found):
        reply["next_page_token"] = run_search.encode_token(offset + max_results)
    return reply


def _experiment_values(exp: Experiment, tags: Mapping[str, str]) -> run_search.Values:
    values: run_search.Values = {("tag", k): v for k, v in tags.items()}
    values[("attr", "name")] = exp.name
    values[("attr", "creation_time")] = float(exp.created_ms)
    values[("attr", "last_update_time")] = float(exp.created_ms)
    return values


def _order_experiments(found: list[Experiment], order_by: list[str]) -> list[Experiment]:
    fields: dict[str, Callable[[Experiment], Any]] = {
        "name": lambda e: e.name,
        "experiment_id": lambda e: e.id,
        "creation_time": lambda e: e.created_ms,
        "last_update_time": lambda e: e.created_ms,
    }
    ordered = sorted(found, key=lambda e: e.id)
    ordered.sort(key=lambda e: e.created_ms, reverse=True)
    for text in reversed(order_by):
        name, _, direction = text.strip().partition(" ")
        name = name.removeprefix("attributes.").removeprefix("attribute.")
        if name not in fields or direction.strip().upper() not in ("", "ASC", "DESC"):
            raise InvalidParameterError(f"Invalid order_by clause {text!r}")
        ordered.sort(key=fields[name], reverse=direction.strip().upper() == "DESC")
    return ordered


def update_experiment(ws: Workspace, req: Request) -> dict[str, Any]:
    exp = _experiment(ws, cv.required(req, "experiment_id"))
    new_name = cv.text(req, "new_name")
    if not new_name:
        raise InvalidParameterError("Missing value for required parameter 'new_name'")
    client_runs.rename_experiment(ws, exp.id, new_name)
    return {}


def delete_experiment(ws: Workspace, req: Request) -> dict[str, Any]:
    """MLflow's delete is our archive: the runs stay, the name is free again."""
    exp = _experiment(ws, cv.required(req, "experiment_id"))
    if exp.name == client_runs.DEFAULT_EXPERIMENT:
        raise InvalidParameterError("Cannot delete the default experiment")
    if not exp.archived:
        exp_service.archive_experiment(ws, str(exp.id))
    return {}


def restore_experiment(ws: Workspace, req: Request) -> dict[str, Any]:
    exp = _experiment(ws, cv.required(req, "experiment_id"))
    if exp.archived:
        client_runs.restore_experiment(ws, exp.id)
    return {}


def set_experiment_tag(ws: Workspace, req: Request) -> dict[str, Any]:
    exp = _experiment(ws, cv.required(req, "experiment_id"))
    key = cv.text(req, "key")
    if not key:
        raise InvalidParameterError("Missing value for required parameter 'key'")
    value = req.get("value", "")
    client_runs.set_experiment_tag(ws, exp.id, key, value if isinstance(value, str) else str(value))
    return {}


def delete_experiment_tag(ws: Workspace, req: Request) -> dict[str, Any]:
    exp = _experiment(ws, cv.required(req, "experiment_id"))
    key = cv.text(req, "key")
    if not key:
        raise InvalidParameterError("Missing value for required parameter 'key'")
    client_runs.delete_experiment_tag(ws, exp.id, key)
    return {}


# ---- runs ------------------------------------------------------------------------------
def _record(ws: Workspace, run_id: str) -> RunRecord:
    try:
        return run_service.get_record(ws, run_id)
    except ResourceNotFoundError:
        raise ResourceNotFoundError(f"Run with id={run_id} not found") from None


def _run_json(ws: Workspace, record: RunRecord) -> dict[str, Any]:
    return _runs_json(ws, [record])[0]


def _runs_json(ws: Workspace, records: list[RunRecord]) -> list[dict[str, Any]]:
    ids = [r.id for r in records]
    latest = client_runs.latest_metrics_of(ws, ids)
    inputs = client_runs.documents_of(ws, ids, cv.INPUTS_KEY)
    deleted = client_runs.deleted_run_ids(ws, ids)
    return [cv.run(r, latest[r.id], inputs[r.id], r.id in deleted) for r in records]


def create_run(ws: Workspace, req: Request) -> dict[str, Any]:
    exp = _experiment(ws, req.get("experiment_id", cv.DEFAULT_EXPERIMENT_ID))
    tags = cv.key_values(req.get("tags"), "tags")
    name = cv.text(req, "run_name") or tags.pop(cv.RUN_NAME_TAG, None)
    tags.pop(cv.RUN_NAME_TAG, None)
    parent = tags.get(cv.PARENT_TAG)
    if parent:
        _record(ws, parent)
    user = cv.text(req, "user_id")
    if user and cv.USER_TAG not in tags:
        tags[cv.USER_TAG] = user
    record = client_runs.create_run(
        ws,
        exp.id,
        name=name,
        tags=tags,
        start_ms=cv.integer(req, "start_time"),
        parent_id=parent or None,
    )
    return {"run": _run_json(ws, record)}


def get_run(ws: Workspace, req: Request) -> dict[str, Any]:
    return {"run": _run_json(ws, _record(ws, cv.run_id_of(req)))}


def update_run(ws: Workspace, req: Request) -> dict[str, Any]:
    run_id = cv.run_id_of(req)
    record = _record(ws, run_id)
    name = cv.text(req, "run_name")
    if name:
        record = client_runs.rename_run(ws, run_id, name)
    status = cv.text(req, "status")
    if status:
        ours = cv.MLFLOW_STATUS.get(status)
        if ours is None:
            raise InvalidParameterError(f"Invalid value {status!r} for parameter 'status'")
        record = client_runs.set_run_status(ws, run_id, ours, cv.integer(req, "end_time"))
    deleted = record.id in client_runs.deleted_run_ids(ws, [record.id])
    return {"run_info": cv.run_info(record, deleted)}


def delete_run(ws: Workspace, req: Request) -> dict[str, Any]:
    """MLflow's soft delete: hidden from searches (unless asked for) until restored; the
    run and everything it logged stay."""
    run_id = cv.run_id_of(req)
    _record(ws, run_id)
    client_runs.set_run_deleted(ws, run_id, True)
    return {}


def restore_run(ws: Workspace, req: Request) -> dict[str, Any]:
    run_id = cv.run_id_of(req)
    _record(ws, run_id)
    client_runs.set_run_deleted(ws, run_id, False)
    return {}


def search_runs(ws: Workspace, req: Request) -> dict[str, Any]:
    view = cv.text(req, "run_view_type", "ACTIVE_ONLY") or "ACTIVE_ONLY"
    if view not in ("ACTIVE_ONLY", "DELETED_ONLY", "ALL"):
        raise InvalidParameterError(f"Invalid value {view!r} for parameter 'run_view_type'")
    ids = []
    for raw in cv.strings(req, "experiment_ids"):
        ids.append(_experiment(ws, raw).id)
    records = run_search.experiment_runs(ws, ids)
    if view != "ALL":
        deleted = client_runs.deleted_run_ids(ws, [r.id for r in records])
        keep = view == "DELETED_ONLY"
        records = [r for r in records if (r.id in deleted) is keep]
    page, token = run_search.search(
        records,
        cv.text(req, "filter"),
        cv.strings(req, "order_by"),
        cv.integer(req, "max_results", 1000) or 1000,
        cv.text(req, "page_token"),
    )
    reply: dict[str, Any] = {"runs": _runs_json(ws, page)}
    if token:
        reply["next_page_token"] = token
    return reply


# ---- logging ---------------------------------------------------------------------------
def _metric_point(item: Any) -> tuple[str, float, int, int]:
    if not isinstance(item, Mapping):
        raise InvalidParameterError("each metric must be an object {key, value, timestamp, step}")
    key = cv.text(item, "key")
    if not key:
        raise InvalidParameterError("Missing value for required parameter 'key'")
    if "value" not in item:
        raise InvalidParameterError("Missing value for required parameter 'value'")
    timestamp = cv.integer(item, "timestamp")
    if timestamp is None:
        raise InvalidParameterError("Missing value for required parameter 'timestamp'")
    if timestamp < 0:
        raise InvalidParameterError(f"Invalid value {timestamp} for parameter 'timestamp'")
    step = cv.integer(item, "step", 0) or 0
    if step < 0:
        raise InvalidParameterError(f"Invalid value {step} for parameter 'step': steps are >= 0")
    return key, cv.metric_value(item["value"], key), step, timestamp


def _log(
    ws: Workspace,
    run_id: str,
    metrics: list[tuple[str, float, int, int]] | None = None,
    params: dict[str, str] | None = None,
    tags: dict[str, str] | None = None,
) -> None:
    tags = dict(tags or {})
    name = tags.pop(cv.RUN_NAME_TAG, None)
    try:
        client_runs.log_batch(ws, run_id, metrics=metrics or [], params=params, tags=tags)
    except ImmutableValueError as exc:  # MLflow answers a changed param with a 400
        raise InvalidParameterError(f"Changing param values is not allowed. {exc}") from None
    except ResourceNotFoundError:  # log_batch reads the run first: only it can be missing
        raise ResourceNotFoundError(f"Run with id={run_id} not found") from None
    if name:
        client_runs.rename_run(ws, run_id, name)


def log_metric(ws: Workspace, req: Request) -> dict[str, Any]:
    _log(ws, cv.run_id_of(req), metrics=[_metric_point(req)])
    return {}


def log_param(ws: Workspace, req: Request) -> dict[str, Any]:
    key = cv.text(req, "key")
    if not key:
        raise InvalidParameterError("Missing value for required parameter 'key'")
    _log(
        ws,
        cv.run_id_of(req),
        params=cv.key_values([{"key": key, "value": req.get("value")}], "params"),
    )
    return {}


def set_tag(ws: Workspace, req: Request) -> dict[str, Any]:
    key = cv.text(req, "key")
    if not key:
        raise InvalidParameterError("Missing value for required parameter 'key'")
    _log(
        ws, cv.run_id_of(req), tags=cv.key_values([{"key": key, "value": req.get("value")}], "tags")
    )
    return {}


def delete_tag(ws: Workspace, req: Request) -> dict[str, Any]:
    run_id = cv.run_id_of(req)
    key = cv.text(req, "key")
    if not key:
        raise InvalidParameterError("Missing value for required parameter 'key'")
    record = _record(ws, run_id)
    if key not in record.tags:
        raise ResourceNotFoundError(f"No tag with name: {key} in run with id {run_id}")
    client_runs.remove_tags(ws, run_id, [key])
    return {}


def log_batch(ws: Workspace, req: Request) -> dict[str, Any]:
    run_id = cv.run_id_of(req)
    raw_metrics = req.get("metrics") or []
    raw_params = req.get("params") or []
    raw_tags = req.get("tags") or []
    for what, items, limit in (
        ("metrics", raw_metrics, MAX_BATCH_METRICS),
        ("params", raw_params, MAX_BATCH_PARAMS),
        ("tags", raw_tags, MAX_BATCH_TAGS),
    ):
        if not isinstance(items, list):
            raise InvalidParameterError(f"'{what}' must be a list")
        if len(items) > limit:
            raise InvalidParameterError(
                f"A batch logging request can contain at most {limit} {what}. Got {len(items)} "
                f"{what}. Please split up {what} across multiple requests and try again."
            )
    total = len(raw_metrics) + len(raw_params) + len(raw_tags)
    if total > MAX_BATCH_TOTAL:
        raise InvalidParameterError(
            f"A batch logging request can contain at most {MAX_BATCH_TOTAL} metrics, params "
            f"and tags in total. Got {total}."
        )
    params = cv.key_values(raw_params, "params")
    if len(params) != len(raw_params):
        raise InvalidParameterError("Duplicate parameter keys have been submitted")
    tags = cv.key_values(raw_tags, "tags")
    _log(ws, run_id, [_metric_point(m) for m in raw_metrics], params, tags)
    return {}


def log_inputs(ws: Workspace, req: Request) -> dict[str, Any]:
    """Dataset inputs are kept as documents of the run, returned by runs/get as given."""
    run_id = cv.run_id_of(req)
    _record(ws, run_id)
    datasets = req.get("datasets") or []
    if not isinstance(datasets, list) or not all(isinstance(d, dict) for d in datasets):
        raise InvalidParameterError("'datasets' must be a list of dataset inputs")
    known = {repr(v.value) for v in run_service.logged_values(ws, run_id) if v.key == cv.INPUTS_KEY}
    for dataset in datasets:
        if repr(dataset) not in known:  # retried requests log each input once
            run_service.log_document(ws, run_id, cv.INPUTS_KEY, cv.INPUTS_KIND, dataset)
    return {}


# ---- metric history --------------------------------------------------------------------
def get_metric_history(ws: Workspace, req: Request) -> dict[str, Any]:
    run_id = cv.run_id_of(req)
    key = cv.text(req, "metric_key")
    if not key:
        raise InvalidParameterError("Missing value for required parameter 'metric_key'")
    _record(ws, run_id)
    max_results = cv.integer(req, "max_results", MAX_HISTORY) or MAX_HISTORY
    if max_results < 1:
        raise InvalidParameterError(f"Invalid value {max_results} for parameter 'max_results'")
    series = run_service.metric_series(ws, run_id, key)
    offset = run_search.decode_token(cv.text(req, "page_token"))
    steps = series.steps[offset : offset + max_results].tolist()
    stamps = series.timestamps[offset : offset + max_results].tolist()
    values = series.values[offset : offset + max_results].tolist()
    reply: dict[str, Any] = {
        "metrics": [cv.metric(key, v, s, ts) for s, ts, v in zip(steps, stamps, values)]
    }
    if offset + max_results < len(series):
        reply["next_page_token"] = run_search.encode_token(offset + max_results)
    return reply


def get_metric_history_bulk_interval(ws: Workspace, req: Request) -> dict[str, Any]:
    """Up to ``max_results`` points per run between two steps, evenly spread over the
    steps that have points, the first and last always kept (MLflow's chart query)."""
    run_ids = cv.strings(req, "run_ids")
    key = cv.text(req, "metric_key")
    if not run_ids or not key:
        raise InvalidParameterError("run_ids and metric_key are required")
    if len(run_ids) > 100:
        raise InvalidParameterError("GetMetricHistoryBulkInterval supports at most 100 runs")
    max_results = cv.integer(req, "max_results", 320) or 320
    if not 1 <= max_results <= 2500:
        raise InvalidParameterError("max_results must be between 1 and 2500")
    start = cv.integer(req, "start_step")
    end = cv.integer(req, "end_step")
    out: list[dict[str, Any]] = []
    for run_id in run_ids:
        _record(ws, run_id)
        series = run_service.metric_series(ws, run_id, key)
        points = [
            (s, ts, v)
            for s, ts, v in zip(
                series.steps.tolist(), series.timestamps.tolist(), series.values.tolist()
            )
            if (start is None or s >= start) and (end is None or s <= end)
        ]
        if len(points) > max_results:
            last = len(points) - 1
            picks = sorted({round(i * last / (max_results - 1)) for i in range(max_results)})
            points = [points[i] for i in picks] if max_results > 1 else [points[0]]
        out += [{**cv.metric(key, v, s, ts), "run_id": run_id} for s, ts, v in points]
    return {"metrics": out}


def search_logged_models(ws: Workspace, req: Request) -> dict[str, Any]:
    """MLflow 3's logged models are not served (``/logged-models`` answers
    ENDPOINT_NOT_FOUND, so ``log_model`` fails clearly): no experiment has any. The
    artifact client asks for them when it lists a run's subfolder."""
    for raw in cv.strings(req, "experiment_ids"):
        _experiment(ws, raw)
    return {"models": []}


ENDPOINTS: dict[tuple[str, str], Endpoint] = {
    ("POST", "experiments/create"): create_experiment,
    ("GET", "experiments/get"): get_experiment,
    ("GET", "experiments/get-by-name"): get_experiment_by_name,
    ("POST", "experiments/search"): search_experiments,
    ("GET", "experiments/search"): search_experiments,
    ("POST", "experiments/update"): update_experiment,
    ("POST", "experiments/delete"): delete_experiment,
    ("POST", "experiments/restore"): restore_experiment,
    ("POST", "experiments/set-experiment-tag"): set_experiment_tag,
    ("POST", "experiments/delete-experiment-tag"): delete_experiment_tag,
    ("POST", "runs/create"): create_run,
    ("GET", "runs/get"): get_run,
    ("POST", "runs/update"): update_run,
    ("POST", "runs/delete"): delete_run,
    ("POST", "runs/restore"): restore_run,
    ("POST", "runs/search"): search_runs,
    ("POST", "runs/log-metric"): log_metric,
    ("POST", "runs/log-parameter"): log_param,
    ("POST", "runs/set-tag"): set_tag,
    ("POST", "runs/delete-tag"): delete_tag,
    ("POST", "runs/log-batch"): log_batch,
    ("POST", "runs/log-inputs"): log_inputs,
    ("GET", "metrics/get-history"): get_metric_history,
    ("GET", "metrics/get-history-bulk-interval"): get_metric_history_bulk_interval,
    ("POST", "logged-models/search"): search_logged_models,
    **registry.ENDPOINTS,
}


def call(ws: Workspace, method: str, path: str, request: Request) -> dict[str, Any]:
    """The response of one endpoint; an unknown one is MLflow's ENDPOINT_NOT_FOUND."""
    endpoint = ENDPOINTS.get((method, path.strip("/")))
    if endpoint is None:
        raise cv.EndpointNotFoundError(f"No endpoint {method} /api/2.0/mlflow/{path}")
    return endpoint(ws, request)


__all__ = ["ENDPOINTS", "call"]
