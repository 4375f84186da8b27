"""REST handlers of pipelines: endpoints (list, show, start a run) and pipeline runs
with their steps' statuses and reuse reasons."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from jupyter_mlws.server.base import MlwsHandler
from jupyter_mlws.services import pipelines as service
from jupyter_mlws.workspace import Workspace


def _endpoints(ws: Workspace) -> dict[str, Any]:
    return {"endpoints": [e.to_dict() for e in service.list_endpoints(ws)]}


def _start(ws: Workspace, name: str, body: dict[str, Any]) -> dict[str, Any]:
    run = service.run_endpoint(
        ws, name, body.get("experiment"), body.get("parameters"), body.get("version")
    )
    return service.pipeline_run_view(ws, run.id).to_dict()


def _run(ws: Workspace, ref: str) -> dict[str, Any]:
    return service.pipeline_run_view(ws, ref).to_dict()


class PipelineEndpointsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.call(_endpoints, self.service.ws))


class PipelineEndpointHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send(await self.call(service.endpoint_view, self.service.ws, name))


class PipelineEndpointRunsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def post(self, name: str) -> None:
        body = self.json_body("PipelineRunRequest")
        self.send(await self.call(_start, self.service.ws, name, body), status=201)


class PipelineRunHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        self.send(await self.call(_run, self.service.ws, ref))
