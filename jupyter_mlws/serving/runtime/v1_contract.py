"""Azure ML v1's scoring contract, for endpoints deployed through the v1 compatibility layer.

v1's ``run(raw_data)`` receives the request body as a string. When ``run`` is decorated
with ``inference_schema``'s ``@input_schema``/``@output_schema`` (the PyPI
``inference-schema`` package), the body is a JSON object of the decorated parameters,
which the decorators type per the schema (``run(**body)``, as v1's server called it),
and ``GET /swagger.json`` serves the swagger document built from the schemas.
The native contract (``run(data)`` gets parsed JSON) is untouched for other endpoints.

Self-contained like the rest of the runtime: ``inference_schema`` is only used when the
scoring script imported it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .app import RequestError, ScoringApp, parse_json

CONTRACT = "azureml-v1"
SWAGGER_PATHS = ("/swagger.json",)


def adapt(app: ScoringApp) -> None:
    """Switch ``app`` to the v1 contract (call once, before it serves)."""
    run = app.scorer.run
    schema = _schema_util()
    decorated = schema is not None and schema.is_schema_decorated(run)
    if decorated:
        app.decode = _json_object
        app.scorer.run = _keyword_call(run, schema)
    else:
        app.decode = _text
    document = swagger(app.config.name, run if decorated else None)

    async def serve_swagger(request: Request) -> Response:
        return app._response(200, document)

    for path in SWAGGER_PATHS:
        app.routes.router.routes.append(Route(path, serve_swagger, methods=["GET"]))


def swagger(name: str, run: Callable[..., Any] | None) -> dict[str, Any]:
    """A swagger 2.0 document of ``POST /score`` (schemas only for a decorated run)."""
    schema = _schema_util()
    input_schema: dict[str, Any] = {"type": "string"}
    output_schema: dict[str, Any] = {}
    if run is not None and schema is not None:
        input_schema = schema.get_input_schema(run) or input_schema
        output_schema = schema.get_output_schema(run) or output_schema
    return {
        "swagger": "2.0",
        "info": {"title": name, "description": f"API specification for {name}", "version": "1.0"},
        "schemes": ["http"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "securityDefinitions": {
            "Bearer": {"type": "apiKey", "name": "Authorization", "in": "header"}
        },
        "paths": {
            "/score": {
                "post": {
                    "operationId": "RunMLService",
                    "description": "Run web service's model and get the prediction output",
                    "security": [{"Bearer": []}],
                    "parameters": [
                        {
                            "name": "serviceInputPayload",
                            "in": "body",
                            "description": "The input payload for executing the real-time "
                            "machine learning service.",
                            "schema": {"$ref": "#/definitions/ServiceInput"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The service processed the input correctly and "
                            "provided a result prediction, if applicable.",
                            "schema": {"$ref": "#/definitions/ServiceOutput"},
                        },
                        "default": {
                            "description": "The service failed to execute due to an error.",
                            "schema": {"$ref": "#/definitions/ErrorResponse"},
                        },
                    },
                }
            }
        },
        "definitions": {
            "ServiceInput": input_schema,
            "ServiceOutput": output_schema,
            "ErrorResponse": {
                "type": "object",
                "properties": {"error": {"type": "string"}, "error_id": {"type": "string"}},
            },
        },
    }


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError(400, "the request body is not UTF-8 text") from None


def _json_object(body: bytes) -> Any:
    data = parse_json(body)
    if not isinstance(data, dict):
        raise RequestError(
            400, 'this service\'s run() takes named inputs: send a JSON object, e.g. {"data": …}'
        )
    return data


def _keyword_call(run: Callable[..., Any], schema: Any) -> Callable[[Any], Any]:
    """``run(**body)``, after checking the body names exactly the schema's inputs (the
    decorators themselves fail obscurely on a misnamed input)."""
    declared = schema.get_input_schema(run) or {}
    names = set((declared.get("properties") or {}).keys())

    def call(data: dict[str, Any]) -> Any:
        unknown, missing = sorted(set(data) - names), sorted(names - set(data))
        if names and (unknown or missing):
            parts = [f"unexpected input(s) {', '.join(unknown)}"] if unknown else []
            parts += [f"missing input(s) {', '.join(missing)}"] if missing else []
            raise RequestError(
                400, f"{'; '.join(parts)}: this service takes {', '.join(sorted(names))}"
            )
        return run(**data)

    return call


def _schema_util() -> Any:
    """``inference_schema.schema_util`` if the scoring script imported inference_schema."""
    if "inference_schema" not in sys.modules:
        return None
    import importlib

    return importlib.import_module("inference_schema.schema_util")
