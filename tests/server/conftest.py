"""A real Jupyter server (pytest-jupyter) with the ``mlws`` extension on a real workspace."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403  (fixtures and hooks of pytest-jupyter)

from jupyter_mlws.workspace import Workspace

from .openapi_check import API, check_response


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


Api = Callable[..., Awaitable[Reply]]


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "ws")


@pytest.fixture  # type: ignore[no-redef]
def jp_root_dir(tmp_path: Path) -> Path:
    root = tmp_path / "notebooks"
    root.mkdir()
    return root


@pytest.fixture  # type: ignore[no-redef]
def jp_server_config(workspace: Workspace) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"jupyter_mlws.server": True}},
        "MlwsApp": {"workspace": str(workspace.root)},
    }


@pytest.fixture
def api(jp_serverapp: Any, http_server_client: Any, jp_auth_header: Any, jp_base_url: str) -> Api:
    """Call ``/mlws/api/v1/<path>``; every reply is checked against openapi.yaml."""

    async def call(
        method: str,
        path: str,
        params: dict[str, Any] | list[tuple[str, Any]] | None = None,
        body: Any = None,
        raw_body: bytes | None = None,
        check: bool = True,
    ) -> Reply:
        query = ("?" + urlencode(params, doseq=True)) if params else ""
        url = f"{jp_base_url.rstrip('/')}{API}/{path}{query}"
        kwargs: dict[str, Any] = {"method": method, "raise_error": False}
        if method in ("POST", "PUT", "PATCH"):
            kwargs["body"] = raw_body if raw_body is not None else json.dumps(body or {})
        response = await http_server_client.fetch(
            url, headers=dict(jp_auth_header), request_timeout=60, **kwargs
        )
        reply = Reply(response.code, dict(response.headers), response.body or b"")
        if check:
            content_type = reply.headers.get("Content-Type", "")
            parsed = reply.json if content_type.startswith("application/json") else None
            check_response(method, "/" + path.split("?")[0], reply.status, content_type, parsed)
        return reply

    return call


__all__ = ["API", "Api", "Reply"]
