"""Checks REST responses against ``jupyter_mlws/server/openapi.yaml``."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from jupyter_mlws.server.base import openapi_spec

API = "/mlws/api/v1"


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for template in openapi_spec()["paths"]:
        escaped = re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
        regex = re.sub(r"\{[^}]+\}", "[^/]+", escaped)
        out.append((re.compile(f"^{regex}$"), template))
    # literal paths win over templated ones ("/runs/x" vs "/compute/{name}")
    return sorted(out, key=lambda item: item[1].count("{"))


def operation(method: str, path: str) -> dict[str, Any]:
    """The spec's operation for a request path relative to the API prefix."""
    for regex, template in _templates():
        if regex.match(path):
            ops = openapi_spec()["paths"][template]
            if method.lower() not in ops:
                raise AssertionError(f"{method} {template} is not in openapi.yaml")
            op: dict[str, Any] = ops[method.lower()]
            return op
    raise AssertionError(f"{path} matches no path of openapi.yaml")


def check_response(method: str, path: str, status: int, content_type: str, body: Any) -> None:
    op = operation(method, path)
    responses = op["responses"]
    response = responses.get(str(status)) or responses.get("default")
    assert response is not None, f"{method} {path}: status {status} is not documented"
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[-1]
        response = openapi_spec()["components"]["responses"][name]
    media = content_type.split(";")[0].strip()
    documented = response.get("content", {})
    if "*/*" in documented:
        return
    assert media in documented, f"{method} {path} {status}: {media} not in {list(documented)}"
    if media != "application/json":
        return
    schema = {**documented[media]["schema"], "components": openapi_spec()["components"]}
    Draft202012Validator(schema).validate(body)
