"""REST: hyperparameter sweeps (list, one with its trials, cancel, extend)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from jupyter_mlws.server.base import MlwsHandler
from jupyter_mlws.services import sweeps


class SweepsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        limit = self.query_int("limit", self.service.settings.page_size, 1, 1000)
        records = await self.call(
            sweeps.list_sweeps, self.service.ws, self.query("experiment"), limit
        )
        self.send({"sweeps": [r.to_dict() for r in records]})


class SweepHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        view = await self.call(sweeps.show_sweep, self.service.ws, ref)
        self.send(view.to_dict())


class SweepCancelHandler(MlwsHandler):
    @authenticated
    @authorized
    async def post(self, ref: str) -> None:
        record = await self.call(sweeps.cancel_sweep, self.service.ws, ref)
        self.send(record.to_dict())


class SweepExtendHandler(MlwsHandler):
    @authenticated
    @authorized
    async def post(self, ref: str) -> None:
        body = self.json_body("SweepExtendRequest")
        record = await self.call(sweeps.extend_sweep, self.service.ws, ref, body["max_runs"])
        self.send(record.to_dict())
