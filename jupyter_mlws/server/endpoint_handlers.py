"""Endpoint telemetry over REST: the same request-log statistics as ``mlws endpoint stats``,
and the data an endpoint collected, as ``mlws endpoint data``."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from jupyter_mlws.server.base import MlwsHandler
from jupyter_mlws.services import endpoint_data, endpoints
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


def collected(ws: Workspace, name: str, since: str, limit: int) -> dict[str, Any]:
    return endpoint_data.collected_records(ws, name, since, limit)


class EndpointDataHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, name: str) -> None:
        since = self.query("since") or endpoint_data.DEFAULT_SINCE
        limit = self.query_int("limit", endpoint_data.DEFAULT_LIMIT, 1, 100_000)
        self.send(await self.call(collected, self.service.ws, name, since, limit))
