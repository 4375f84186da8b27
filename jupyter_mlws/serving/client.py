"""Calling an endpoint: ``POST /score`` with the key, errors turned into typed ones."""

from __future__ import annotations

from typing import Any

from jupyter_mlws.exceptions import require
from jupyter_mlws.serving.errors import EndpointInvokeError, EndpointUnavailableError


def invoke(
    name: str, scoring_uri: str, data: Any, *, key: str | None, timeout_s: float = 60.0
) -> Any:
    require("httpx", "serving")
    import httpx

    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    body = data if isinstance(data, (bytes, str)) else _dumps(data)
    try:
        response = httpx.post(scoring_uri, content=body, headers=headers, timeout=timeout_s)
    except httpx.TransportError as exc:
        raise EndpointUnavailableError(
            f"endpoint {name!r} is not answering at {scoring_uri} ({type(exc).__name__}); "
            f"see `mlws endpoint show {name}`"
        ) from None
    try:
        payload = response.json()
    except ValueError:
        payload = {"error": response.text[:500]}
    if response.status_code != 200:
        error = payload.get("error") if isinstance(payload, dict) else None
        error_id = payload.get("error_id") if isinstance(payload, dict) else None
        raise EndpointInvokeError(name, response.status_code, str(error or payload), error_id)
    return payload


def _dumps(data: Any) -> bytes:
    import orjson

    return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY)
