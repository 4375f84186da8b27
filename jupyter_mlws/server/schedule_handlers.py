"""REST handlers of pipeline schedules: list, create, show (with firings), enable,
disable, delete. The server's own scheduler fires them (``schedule_loop``)."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from jupyter_mlws.server.base import MlwsHandler
from jupyter_mlws.services import schedules as service
from jupyter_mlws.services.schedules import ScheduleSpec
from jupyter_mlws.workspace import Workspace


def _list(ws: Workspace) -> dict[str, Any]:
    return {"schedules": [s.to_dict() for s in service.list_schedules(ws)]}


def _create(ws: Workspace, body: dict[str, Any]) -> dict[str, Any]:
    return service.view(ws, service.create(ws, ScheduleSpec.from_json(body)).name)


def _set(ws: Workspace, name: str, enabled: bool) -> dict[str, Any]:
    (service.enable if enabled else service.disable)(ws, name)
    return service.view(ws, name)


def _delete(ws: Workspace, name: str) -> dict[str, Any]:
    service.delete(ws, name)
    return {"deleted": name}


class SchedulesHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.call(_list, self.service.ws))

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body("ScheduleRequest")
        self.send(await self.call(_create, self.service.ws, body), status=201)


class ScheduleHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send(await self.call(service.view, self.service.ws, name))

    @authenticated
    @authorized
    async def delete(self, name: str) -> None:
        self.send(await self.call(_delete, self.service.ws, name))


class ScheduleEnableHandler(MlwsHandler):
    @authenticated
    @authorized
    async def post(self, name: str) -> None:
        self.send(await self.call(_set, self.service.ws, name, True))


class ScheduleDisableHandler(MlwsHandler):
    @authenticated
    @authorized
    async def post(self, name: str) -> None:
        self.send(await self.call(_set, self.service.ws, name, False))
