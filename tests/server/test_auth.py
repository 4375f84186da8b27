"""Every verb of every handler is ``@authenticated`` and ``@authorized``: checked on the
code (like the extension template's check_auth) and on a live server."""

from __future__ import annotations

import re
import warnings
from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.utils import JupyterServerAuthWarning
from tornado.web import RequestHandler

from jupyter_mlws.server.routes import route_table

from .openapi_check import API

ROUTES = route_table()


def _verbs(handler: type[RequestHandler]) -> list[str]:
    return [
        m.lower()
        for m in handler.SUPPORTED_METHODS
        if getattr(handler, m.lower()) is not RequestHandler._unimplemented_method
        and m not in ("HEAD", "OPTIONS")
    ]


def _decorators(method: Any) -> list[str]:
    names = []
    while hasattr(method, "__wrapped__"):
        names.append(method.__code__.co_qualname.split(".")[0])
        method = method.__wrapped__
    return names


@pytest.mark.parametrize(("pattern", "handler"), ROUTES, ids=[p for p, _ in ROUTES])
def test_every_verb_is_authenticated_then_authorized(pattern: str, handler: type) -> None:
    verbs = _verbs(handler)
    assert verbs, f"{handler.__name__} serves nothing"
    for verb in verbs:
        chain = _decorators(getattr(handler, verb))
        assert chain[:2] == ["authenticated", "authorized"], f"{handler.__name__}.{verb}: {chain}"


def test_jupyter_server_finds_no_unauthenticated_handler(jp_configurable_serverapp: Any) -> None:
    """As the template's check_auth.py: booting the server warns of no mlws endpoint."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", JupyterServerAuthWarning)
        app = jp_configurable_serverapp()
    assert "jupyter_mlws.server" in app.extension_manager.extension_apps
    complaints = [
        str(w.message) for w in caught if issubclass(w.category, JupyterServerAuthWarning)
    ]
    assert not [c for c in complaints if "Extension endpoints" in c]


def _sample_paths() -> list[tuple[str, str]]:
    """One concrete request per routed verb (ids are made up: auth comes first)."""
    out = []
    for pattern, handler in ROUTES:
        path = pattern.replace("(start|stop)", "start")
        path = re.sub(r"\([^)]*\)", "x", path)
        for verb in _verbs(handler):
            out.append((verb.upper(), path))
    return out


SAMPLES = _sample_paths()


async def test_requests_without_a_token_are_refused(
    jp_serverapp: Any, http_server_client: Any, jp_base_url: str
) -> None:
    served = {}
    for method, path in SAMPLES:
        url = jp_base_url.rstrip("/") + path
        body = "{}" if method in ("POST", "PUT", "PATCH") else None
        reply = await http_server_client.fetch(url, method=method, body=body, raise_error=False)
        served[(method, path)] = reply.code
    # 401 (as openapi.yaml says), not jupyter_server's 403: no user is known yet
    assert set(served.values()) == {401}, served


class DenyMlws(Authorizer):
    """Lets the user in but refuses the ``mlws`` resource: proves @authorized is checked."""

    seen: list[tuple[str, str]] = []

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        DenyMlws.seen.append((action, resource))
        return resource != "mlws"


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    server = {**jp_server_config["ServerApp"], "authorizer_class": DenyMlws}
    return {**jp_server_config, "ServerApp": server}


async def test_authorizer_is_asked_for_every_route(
    jp_serverapp: Any, http_server_client: Any, jp_base_url: str, jp_auth_header: Any
) -> None:
    for method, path in SAMPLES:
        DenyMlws.seen.clear()
        url = jp_base_url.rstrip("/") + path
        body = "{}" if method in ("POST", "PUT", "PATCH") else None
        reply = await http_server_client.fetch(
            url, method=method, body=body, headers=dict(jp_auth_header), raise_error=False
        )
        assert reply.code == 403, (method, path)
        expected = "read" if method == "GET" else "write"
        assert DenyMlws.seen == [(expected, "mlws")], (method, path)
        assert path.startswith(API)
