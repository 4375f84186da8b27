"""Endpoint telemetry over REST: the same request-log statistics as ``mlws endpoint stats``."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from jupyter_mlws.server.base import MlwsHandler
from jupyter_mlws.services import endpoints
from jupyter_mlws.workspace import Workspace


def stats(ws: Workspace, name: str, since: str) -> dict[str, Any]:
    return endpoints.endpoint_stats(ws, name, since).to_dict()


class EndpointStatsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, name: str) -> None:
        since = self.query("since") or endpoints.DEFAULT_SINCE
        self.send(await self.call(stats, self.service.ws, name, since))


def series(ws: Workspace, name: str, since: str, bucket: str) -> dict[str, Any]:
    return endpoints.endpoint_series(ws, name, since, bucket).to_dict()


class EndpointStatsSeriesHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, name: str) -> None:
        since = self.query("since") or endpoints.DEFAULT_SINCE
        bucket = self.query("bucket") or endpoints.DEFAULT_BUCKET
        self.send(await self.call(series, self.service.ws, name, since, bucket))
