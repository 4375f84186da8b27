"""MLflow's Model Registry endpoints (``registered-models/*``, ``model-versions/*``) over
our registry (``services.client_models``): one registry, MLflow's shapes.

A version's download URI is ``mlflow-artifacts:/models/<name>/<version>[/<root>]``,
which the artifact API serves from the version's files (read-only), so ``models:/name/1``
downloads work for versions registered through MLflow or through ``ws.register_model``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.mlflow_api import convert as cv
from jupyter_mlws.mlflow_api import search as run_search
from jupyter_mlws.services import client_models as models
from jupyter_mlws.services.client_models import ClientVersion, RegisteredModel
from jupyter_mlws.workspace import Workspace

Request = Mapping[str, Any]
MAX_MODELS = 1000
MAX_VERSIONS = 200_000
MODELS_PREFIX = "models"  # mlflow-artifacts:/models/<name>/<version>/...


# ---- shapes ----------------------------------------------------------------------------
def _base_uri(found: ClientVersion) -> str:
    return f"mlflow-artifacts:/{MODELS_PREFIX}/{found.version.name}/{found.version.version}"


def download_uri(ws: Workspace, found: ClientVersion) -> str:
    """The version's folder (the one holding ``MLmodel``), or the folder of its one file."""
    v = found.version
    _, files = models.model_files(ws, v.name, v.version)
    folder = any(f.path.startswith(f"{v.root}/") for f in files)
    return f"{_base_uri(found)}/{v.root}" if folder else _base_uri(found)


def version_json(found: ClientVersion) -> dict[str, Any]:
    v, meta = found.version, found.meta
    out: dict[str, Any] = {
        "name": v.name,
        "version": str(v.version),
        "creation_timestamp": v.created_ms,
        "last_updated_timestamp": meta.updated_ms or v.created_ms,
        "user_id": "",
        "current_stage": meta.stage,
        "description": v.description or "",
        "source": meta.source or _base_uri(found),
        "status": "READY",
        "tags": [{"key": k, "value": val} for k, val in sorted(v.tags.items())],
        "aliases": list(v.aliases),
    }
    if v.run_id:
        out["run_id"] = v.run_id
    return out


def _latest_per_stage(versions: list[ClientVersion]) -> list[ClientVersion]:
    newest: dict[str, ClientVersion] = {}
    for found in versions:
        held = newest.get(found.meta.stage)
        if held is None or found.version.version > held.version.version:
            newest[found.meta.stage] = found
    return sorted(newest.values(), key=lambda f: f.version.version)


def model_json(model: RegisteredModel, versions: list[ClientVersion]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": model.name,
        "creation_timestamp": model.created_ms,
        "last_updated_timestamp": model.updated_ms,
        "description": model.description or "",
        "tags": [{"key": k, "value": v} for k, v in sorted(model.tags.items())],
        "aliases": [{"alias": a, "version": str(n)} for a, n in sorted(model.aliases.items())],
    }
    latest = _latest_per_stage(versions)
    if latest:
        out["latest_versions"] = [version_json(f) for f in latest]
    return out


# ---- reading requests ------------------------------------------------------------------
def _name(req: Request, field: str = "name") -> str:
    value = cv.text(req, field)
    if not value:
        raise InvalidParameterError(f"Missing value for required parameter '{field}'")
    return value


def _version(req: Request) -> int:
    raw = cv.required(req, "version")
    text = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or int(text) < 1:
        raise InvalidParameterError(f"Parameter 'version' must be an integer, got {raw!r}")
    return int(text)


def _tags(req: Request) -> dict[str, str]:
    return cv.key_values(req.get("tags"), "tags")


def _model_reply(ws: Workspace, model: RegisteredModel) -> dict[str, Any]:
    return {"registered_model": model_json(model, models.list_versions(ws, model.name))}


# ---- registered models -----------------------------------------------------------------
def create_registered_model(ws: Workspace, req: Request) -> dict[str, Any]:
    model = models.create_model(ws, _name(req), cv.text(req, "description"), _tags(req))
    return _model_reply(ws, model)


def get_registered_model(ws: Workspace, req: Request) -> dict[str, Any]:
    return _model_reply(ws, models.get_model(ws, _name(req)))


def rename_registered_model(ws: Workspace, req: Request) -> dict[str, Any]:
    return _model_reply(ws, models.rename_model(ws, _name(req), _name(req, "new_name")))


def update_registered_model(ws: Workspace, req: Request) -> dict[str, Any]:
    model = models.update_model(ws, _name(req), cv.text(req, "description") or "")
    return _model_reply(ws, model)


def delete_registered_model(ws: Workspace, req: Request) -> dict[str, Any]:
    models.delete_model(ws, _name(req))
    return {}


def set_registered_model_tag(ws: Workspace, req: Request) -> dict[str, Any]:
    key = _name(req, "key")
    value = req.get("value", "")
    models.set_model_tag(ws, _name(req), key, value if isinstance(value, str) else str(value))
    return {}


def delete_registered_model_tag(ws: Workspace, req: Request) -> dict[str, Any]:
    models.set_model_tag(ws, _name(req), _name(req, "key"), None)
    return {}


def set_alias(ws: Workspace, req: Request) -> dict[str, Any]:
    models.set_alias(ws, _name(req), _name(req, "alias"), _version(req))
    return {}


def delete_alias(ws: Workspace, req: Request) -> dict[str, Any]:
    models.delete_alias(ws, _name(req), _name(req, "alias"))
    return {}


def get_version_by_alias(ws: Workspace, req: Request) -> dict[str, Any]:
    found = models.get_version(ws, _name(req), alias=_name(req, "alias"))
    return {"model_version": version_json(found)}


def get_latest_versions(ws: Workspace, req: Request) -> dict[str, Any]:
    name = _name(req)
    models.get_model(ws, name)
    wanted = {models.stage_of(s) for s in cv.strings(req, "stages")}
    versions = models.list_versions(ws, name)
    latest = _latest_per_stage(versions)
    if wanted:
        latest = [f for f in latest if f.meta.stage in wanted]
    return {"model_versions": [version_json(f) for f in latest]}


def search_registered_models(ws: Workspace, req: Request) -> dict[str, Any]:
    max_results = _max_results(req, 100, MAX_MODELS)
    match = run_search.values_filter(cv.text(req, "filter"), _MODEL_FIELDS, _NUMERIC)
    by_name: dict[str, list[ClientVersion]] = defaultdict(list)
    for found in models.list_versions(ws):
        by_name[found.version.name].append(found)
    found_models = [m for m in models.list_models(ws) if match(_model_values(m))]
    found_models = _ordered(
        found_models,
        cv.strings(req, "order_by"),
        {
            "name": lambda m: m.name,
            "creation_timestamp": lambda m: m.created_ms,
            "last_updated_timestamp": lambda m: m.updated_ms,
            "timestamp": lambda m: m.updated_ms,
        },
    )
    page, token = _page(found_models, req, max_results)
    reply: dict[str, Any] = {
        "registered_models": [model_json(m, by_name.get(m.name, [])) for m in page]
    }
    if token:
        reply["next_page_token"] = token
    return reply


# ---- versions --------------------------------------------------------------------------
def _source_files(source: str) -> tuple[str, str] | None:
    """(owner, path) of a source URI we hold the files of; None for any other."""
    if source.startswith("runs:/"):
        run_id, _, rel = source.removeprefix("runs:/").strip("/").partition("/")
        return (run_id, rel) if run_id else None
    if source.startswith("models:/"):
        name, _, rest = source.removeprefix("models:/").strip("/").partition("/")
        number, _, rel = rest.partition("/")
        return (f"model:{name}:{number}", rel) if number.isdigit() else None
    if source.startswith("mlflow-artifacts:"):
        path = re.sub(r"^mlflow-artifacts:(//[^/]*)?/*", "", source)
        parts = path.split("/", 3)
        if len(parts) >= 3 and parts[0] == MODELS_PREFIX and parts[2].isdigit():
            return f"model:{parts[1]}:{parts[2]}", parts[3] if len(parts) == 4 else ""
        if len(parts) >= 3 and parts[0].isdigit() and parts[2] == "artifacts":
            return parts[1], parts[3] if len(parts) == 4 else ""
    return None


def create_model_version(ws: Workspace, req: Request) -> dict[str, Any]:
    source = _name(req, "source")
    found = models.create_version(
        ws,
        _name(req),
        source=source,
        run_id=cv.text(req, "run_id") or None,
        tags=_tags(req),
        description=cv.text(req, "description"),
        source_files=_source_files(source),
    )
    return {"model_version": version_json(found)}


def get_model_version(ws: Workspace, req: Request) -> dict[str, Any]:
    return {"model_version": version_json(models.get_version(ws, _name(req), _version(req)))}


def update_model_version(ws: Workspace, req: Request) -> dict[str, Any]:
    found = models.update_version(
        ws, _name(req), _version(req), description=cv.text(req, "description") or ""
    )
    return {"model_version": version_json(found)}


def transition_stage(ws: Workspace, req: Request) -> dict[str, Any]:
    archive = req.get("archive_existing_versions", False)
    found = models.update_version(
        ws,
        _name(req),
        _version(req),
        stage=_name(req, "stage"),
        archive_others=archive is True or str(archive).lower() == "true",
    )
    return {"model_version": version_json(found)}


def delete_model_version(ws: Workspace, req: Request) -> dict[str, Any]:
    models.delete_version(ws, _name(req), _version(req))
    return {}


def get_download_uri(ws: Workspace, req: Request) -> dict[str, Any]:
    return {"artifact_uri": download_uri(ws, models.get_version(ws, _name(req), _version(req)))}


def set_model_version_tag(ws: Workspace, req: Request) -> dict[str, Any]:
    value = req.get("value", "")
    tag = {_name(req, "key"): value if isinstance(value, str) else str(value)}
    models.set_version_tags(ws, _name(req), _version(req), tag)
    return {}


def delete_model_version_tag(ws: Workspace, req: Request) -> dict[str, Any]:
    models.set_version_tags(ws, _name(req), _version(req), {}, [_name(req, "key")])
    return {}


def search_model_versions(ws: Workspace, req: Request) -> dict[str, Any]:
    max_results = _max_results(req, 10_000, MAX_VERSIONS)
    match = run_search.values_filter(cv.text(req, "filter"), _VERSION_FIELDS, _NUMERIC)
    found = [f for f in models.list_versions(ws) if match(_version_values(f))]
    found = _ordered(
        found,
        cv.strings(req, "order_by"),
        {
            "name": lambda f: f.version.name,
            "version_number": lambda f: f.version.version,
            "creation_timestamp": lambda f: f.version.created_ms,
            "last_updated_timestamp": lambda f: f.meta.updated_ms or f.version.created_ms,
            "timestamp": lambda f: f.meta.updated_ms or f.version.created_ms,
            "run_id": lambda f: f.version.run_id or "",
        },
    )
    page, token = _page(found, req, max_results)
    reply: dict[str, Any] = {"model_versions": [version_json(f) for f in page]}
    if token:
        reply["next_page_token"] = token
    return reply


# ---- search helpers --------------------------------------------------------------------
Values = run_search.Values
_NUMERIC = frozenset({"version_number", "creation_timestamp", "last_updated_timestamp"})
_MODEL_FIELDS = frozenset({"name", "creation_timestamp", "last_updated_timestamp"})
_VERSION_FIELDS = _MODEL_FIELDS | {"run_id", "source_path", "version_number"}


def _model_values(model: RegisteredModel) -> Values:
    out: Values = {("attr", "name"): model.name}
    out[("attr", "creation_timestamp")] = float(model.created_ms)
    out[("attr", "last_updated_timestamp")] = float(model.updated_ms)
    out.update({("tag", k): v for k, v in model.tags.items()})
    return out


def _version_values(found: ClientVersion) -> Values:
    v = found.version
    out: Values = {
        ("attr", "name"): v.name,
        ("attr", "run_id"): v.run_id,
        ("attr", "source_path"): found.meta.source or _base_uri(found),
        ("attr", "version_number"): float(v.version),
        ("attr", "creation_timestamp"): float(v.created_ms),
        ("attr", "last_updated_timestamp"): float(found.meta.updated_ms or v.created_ms),
    }
    out.update({("tag", k): val for k, val in v.tags.items()})
    return out


def _ordered(items: list[Any], order_by: list[str], fields: dict[str, Callable[[Any], Any]]) -> Any:
    ordered = list(items)
    for text in reversed(order_by):
        name, _, direction = text.strip().partition(" ")
        name = name.removeprefix("attributes.").removeprefix("attribute.")
        direction = direction.strip().upper()
        if name not in fields or direction not in ("", "ASC", "DESC"):
            raise InvalidParameterError(f"Invalid order_by clause {text!r}")
        ordered.sort(key=fields[name], reverse=direction == "DESC")
    return ordered


def _max_results(req: Request, default: int, limit: int) -> int:
    max_results = cv.integer(req, "max_results", default) or default
    if not 1 <= max_results <= limit:
        raise InvalidParameterError(
            f"Invalid value {max_results} for parameter 'max_results' supplied: it must be "
            f"between 1 and {limit}"
        )
    return max_results


def _page(items: list[Any], req: Request, max_results: int) -> tuple[list[Any], str | None]:
    offset = run_search.decode_token(cv.text(req, "page_token"))
    more = offset + max_results < len(items)
    token = run_search.encode_token(offset + max_results) if more else None
    return items[offset : offset + max_results], token


ENDPOINTS: dict[tuple[str, str], Callable[[Workspace, Request], dict[str, Any]]] = {
    ("POST", "registered-models/create"): create_registered_model,
    ("POST", "registered-models/rename"): rename_registered_model,
    ("PATCH", "registered-models/update"): update_registered_model,
    ("DELETE", "registered-models/delete"): delete_registered_model,
    ("GET", "registered-models/get"): get_registered_model,
    ("GET", "registered-models/search"): search_registered_models,
    ("POST", "registered-models/get-latest-versions"): get_latest_versions,
    ("GET", "registered-models/get-latest-versions"): get_latest_versions,
    ("POST", "registered-models/set-tag"): set_registered_model_tag,
    ("DELETE", "registered-models/delete-tag"): delete_registered_model_tag,
    ("POST", "registered-models/alias"): set_alias,
    ("DELETE", "registered-models/alias"): delete_alias,
    ("GET", "registered-models/alias"): get_version_by_alias,
    ("POST", "model-versions/create"): create_model_version,
    ("PATCH", "model-versions/update"): update_model_version,
    ("POST", "model-versions/transition-stage"): transition_stage,
    ("DELETE", "model-versions/delete"): delete_model_version,
    ("GET", "model-versions/get"): get_model_version,
    ("GET", "model-versions/search"): search_model_versions,
    ("GET", "model-versions/get-download-uri"): get_download_uri,
    ("POST", "model-versions/set-tag"): set_model_version_tag,
    ("DELETE", "model-versions/delete-tag"): delete_model_version_tag,
}
