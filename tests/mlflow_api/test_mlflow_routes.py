"""Every verb of every MLflow route is ``@authenticated`` then ``@authorized`` (as
tests/server/test_auth.py checks the ``/mlws/api/v1`` routes), and every endpoint of the
tracking table is one MLflow's client calls with that method."""

from __future__ import annotations

from typing import Any

import pytest
from tornado.web import RequestHandler

from jupyter_mlws.mlflow_api.tracking import ENDPOINTS
from jupyter_mlws.server.mlflow_handlers import mlflow_routes

ROUTES = mlflow_routes()


def _chain(method: Any) -> list[str]:
    names = []
    while hasattr(method, "__wrapped__"):
        names.append(method.__code__.co_qualname.split(".")[0])
        method = method.__wrapped__
    return names


@pytest.mark.parametrize(("pattern", "handler"), ROUTES, ids=[p for p, _ in ROUTES])
def test_every_verb_is_authenticated_then_authorized(pattern: str, handler: type) -> None:
    verbs = [
        m.lower()
        for m in handler.SUPPORTED_METHODS
        if getattr(handler, m.lower()) is not RequestHandler._unimplemented_method
        and m not in ("HEAD", "OPTIONS")
    ]
    assert verbs
    for verb in verbs:
        assert _chain(getattr(handler, verb))[:2] == ["authenticated", "authorized"], verb


def test_endpoint_table_uses_mlflows_methods() -> None:
    service = pytest.importorskip("mlflow.protos.service_pb2")
    from mlflow.protos import model_registry_pb2
    from mlflow.utils.rest_utils import extract_api_info_for_service

    served = {
        (method, path.removeprefix("/api/2.0/mlflow/"))
        for api in (service.MlflowService, model_registry_pb2.ModelRegistryService)
        for path, method in extract_api_info_for_service(api, "/api/2.0").values()
    }
    also_get = {  # MLflow's server answers their GET forms too
        ("GET", "experiments/search"),
        ("GET", "registered-models/get-latest-versions"),
    }
    assert set(ENDPOINTS) - also_get <= served
