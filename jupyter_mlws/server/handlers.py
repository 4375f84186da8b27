"""Workspace, change cursor, experiments, compute and notebook handlers (thin: parse,
call the service, write). Every verb is ``@authenticated`` then ``@authorized``."""

from __future__ import annotations

from importlib.resources import files

from jupyter_server.auth.decorator import authorized
from tornado.web import HTTPError, authenticated

from jupyter_mlws.server import compute, registry
from jupyter_mlws.server.base import MlwsHandler
from jupyter_mlws.server.submission import notebook_parameters


class WorkspaceHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        self.service.submissions.warm()  # a front end is up: submissions may follow
        self.send(await self.call(self.service.workspace_info))


class ChangesHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        self.send(await self.call(self.service.changes, self.query("cursor")))


class OpenApiHandler(MlwsHandler):
    @authenticated
    @authorized
    def get(self) -> None:
        spec = files("jupyter_mlws.server").joinpath("openapi.yaml").read_bytes()
        self.finish(spec, set_content_type="application/yaml")


class ExperimentsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        archived = self.query_bool("include_archived")
        self.send({"experiments": await self.call(self.service.list_experiments, archived)})


class ExperimentHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        self.send(await self.call(self.service.get_experiment, ref))


class ExperimentArchiveHandler(MlwsHandler):
    @authenticated
    @authorized
    async def post(self, ref: str) -> None:
        self.send(await self.call(self.service.archive_experiment, ref))


class ComputeListHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        self.send({"targets": await self.call(compute.list_targets, self.service.ws)})


class ComputeHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send(await self.call(compute.get_target, self.service.ws, name))


class ComputeActionHandler(MlwsHandler):
    @authenticated
    @authorized
    async def post(self, name: str, action: str) -> None:
        # starting a cluster waits for its scheduler: keep the event loop free meanwhile
        self.send(await self.call(compute.act, self.service.ws, name, action))


class NotebookParametersHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        path = self.query("path") or ""
        params = await self.call(notebook_parameters, self.service.settings.root_dir, path)
        self.send({"path": path, "parameters": params})


class NotFoundHandler(MlwsHandler):
    """Unknown ``/mlws/api/v1`` routes answer JSON 404, not the HTML page."""

    def _missing(self) -> None:
        raise HTTPError(404, f"no such endpoint: {self.request.method} {self.request.path}")

    @authenticated
    @authorized
    def get(self, _: str) -> None:
        self._missing()

    @authenticated
    @authorized
    def post(self, _: str) -> None:
        self._missing()

    @authenticated
    @authorized
    def put(self, _: str) -> None:
        self._missing()

    @authenticated
    @authorized
    def patch(self, _: str) -> None:
        self._missing()

    @authenticated
    @authorized
    def delete(self, _: str) -> None:
        self._missing()


class ModelsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        latest = self.query_bool("latest")
        name = self.query("name")
        self.send({"models": await self.call(registry.list_models, self.service.ws, name, latest)})


class ModelHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        self.send(await self.call(registry.get_model, self.service.ws, ref))


class EndpointsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        self.send({"endpoints": await self.call(registry.list_endpoints, self.service.ws)})


class EndpointHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send(await self.call(registry.get_endpoint, self.service.ws, name))
