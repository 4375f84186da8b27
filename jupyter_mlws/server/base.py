"""The one base handler: JSON in and out, typed errors turned into JSON 4xx once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from functools import cache, partial
from http import HTTPStatus
from importlib.resources import files
from typing import Any, TypeVar

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado.web import HTTPError

from jupyter_mlws.exceptions import InvalidParameterError, MlwsError
from jupyter_mlws.jsonable import dumps
from jupyter_mlws.server.service import MlwsService
from jupyter_mlws.services.activity import acting

T = TypeVar("T")

# MLflow-style codes for errors tornado or jupyter_server raise before our code runs.
_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "ENDPOINT_NOT_FOUND",
    405: "BAD_REQUEST",
    409: "RESOURCE_CONFLICT",
    501: "NOT_IMPLEMENTED",
}


UNAUTHENTICATED = "authentication required: send the header 'Authorization: token <token>'"


@cache
def openapi_spec() -> dict[str, Any]:
    text = files("jupyter_mlws.server").joinpath("openapi.yaml").read_text(encoding="utf-8")
    spec: dict[str, Any] = yaml.safe_load(text)
    return spec


@cache
def _body_validator(schema_name: str) -> Draft202012Validator:
    spec = openapi_spec()
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    return Draft202012Validator(schema)


class MlwsHandler(ExtensionHandlerMixin, APIHandler):
    """Base of every ``/mlws/api/v1`` handler (``auth_resource`` is checked by @authorized)."""

    auth_resource = "mlws"
    front_door = "rest"
    """What the activity log names as the door of the changes this handler makes."""

    @property
    def service(self) -> MlwsService:
        service: MlwsService = self.settings["mlws_service"]
        return service

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking work (the store, snapshots, clusters) off the event loop, as the
        request's Jupyter user through this handler's door (for the activity log)."""
        loop = asyncio.get_running_loop()
        work = partial(_acting, self.front_door, self.jupyter_user(), fn, *args, **kwargs)
        return await loop.run_in_executor(self.service.pool, work)

    def jupyter_user(self) -> str | None:
        """The server's identity of the request's user. A shared token identifies nobody
        (jupyter_server makes up an anonymous user per request): then ``None``, which
        the activity log reads as the server's OS user."""
        user = self.current_user
        if str(getattr(user, "name", "")).startswith("Anonymous "):
            return None
        name = getattr(user, "username", None)
        return str(name) if name else None

    # ---- input -------------------------------------------------------------------------
    def query(self, name: str, default: str | None = None) -> str | None:
        return self.get_query_argument(name, default)

    def query_list(self, name: str) -> list[str]:
        return self.get_query_arguments(name)

    def query_int(self, name: str, default: int, low: int, high: int) -> int:
        return _bounded(name, self.query(name), default, low, high)

    def query_bool(self, name: str, default: bool = False) -> bool:
        value = self.query(name)
        if value is None:
            return default
        if value.lower() in ("true", "1", "yes"):
            return True
        if value.lower() in ("false", "0", "no"):
            return False
        raise InvalidParameterError(f"{name} must be true or false, got {value!r}")

    def json_body(self, schema_name: str) -> dict[str, Any]:
        """The request body, validated against ``components/schemas/<schema_name>``."""
        try:
            body = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise InvalidParameterError("the request body must be a JSON object") from None
        try:
            _body_validator(schema_name).validate(body)
        except ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "body"
            raise InvalidParameterError(f"invalid request body at {where}: {exc.message}") from None
        result: dict[str, Any] = body
        return result

    # ---- output ------------------------------------------------------------------------
    def send(self, payload: Mapping[str, Any] | list[Any], status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(dumps(payload))

    def get_login_url(self) -> str:
        # @authenticated asks for a login page when no user is logged in; an API
        # answers 401 instead (jupyter_server's APIHandler answers 403).
        raise HTTPError(401, UNAUTHENTICATED)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if status_code == 403 and not getattr(self, "_jupyter_current_user", None):
            # refused before any user was known (no token, or POST without one):
            # that is a missing authentication, 401 as openapi.yaml says, not 403
            status_code, exc = 401, HTTPError(401, UNAUTHENTICATED)
        if isinstance(exc, MlwsError):
            status_code, body = exc.http_status, exc.to_dict()
        elif isinstance(exc, HTTPError):
            reason = exc.log_message or HTTPStatus(status_code).phrase
            body = {"error_code": _HTTP_CODES.get(status_code, "BAD_REQUEST"), "message": reason}
        else:
            body = {"error_code": "INTERNAL_ERROR", "message": "internal error (see the log)"}
        self.clear()
        self.set_status(status_code)
        if status_code == 401:
            self.set_header("WWW-Authenticate", "token")
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, MlwsError) and value.http_status < 500:
            self.log.info("mlws %s %s: %s", self.request.method, self.request.path, value)
            return
        super().log_exception(typ, value, tb)


def _acting(door: str, user: str | None, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with acting(door, user):
        return fn(*args, **kwargs)


def _bounded(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameterError(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise InvalidParameterError(f"{name} must be between {low} and {high}, got {value}")
    return value
