"""The activity log over REST: the same entries and filters as ``mlws activity``."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from jupyter_mlws.server.base import MlwsHandler
from jupyter_mlws.services import activity
from jupyter_mlws.workspace import Workspace


def entries(
    ws: Workspace, since: str | None, kind: str | None, user: str | None, limit: int
) -> dict[str, Any]:
    found = activity.list_activity(ws, since=since, kind=kind, user=user, limit=limit)
    return {"activity": [a.to_dict() for a in found]}


class ActivityHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        limit = self.query_int("limit", activity.DEFAULT_LIMIT, 1, activity.MAX_LIMIT)
        since, kind, user = self.query("since"), self.query("kind"), self.query("user")
        self.send(await self.call(entries, self.service.ws, since, kind, user, limit))
