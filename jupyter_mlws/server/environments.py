"""REST: environment versions with their build state (what the sidebar lists)."""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from jupyter_mlws.environments.registry import EnvironmentVersion
from jupyter_mlws.server.base import MlwsHandler
from jupyter_mlws.services import environments


def _view(env: EnvironmentVersion) -> dict[str, Any]:
    return {**env.to_dict(), "ref": env.ref, "package_count": len(env.spec.requirements)}


class EnvironmentsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        envs = await self.call(environments.list_versions, self.service.ws, self.query("name"))
        self.send({"environments": [_view(e) for e in envs]})


class EnvironmentHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        self.send(_view(await self.call(environments.get, self.service.ws, ref)))
