"""REST handlers of the data views (``/datastores``, ``/datasets``, ``/secrets``); the
store and object-storage listings they need run off the event loop."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from jupyter_mlws.server import data_views as views
from jupyter_mlws.server.base import MlwsHandler


class DatastoresHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        self.send({"datastores": await self.call(views.list_datastores, self.service.ws)})


class DatastoreHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, name: str) -> None:
        self.send(await self.call(views.get_datastore, self.service.ws, name))


class DatasetsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        self.send(
            {"datasets": await self.call(views.list_datasets, self.service.ws, self.query("name"))}
        )


class DatasetHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        self.send(await self.call(views.get_dataset, self.service.ws, ref))


class DatasetProfileHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        self.send(await self.call(views.dataset_profile, self.service.ws, ref))


class DatasetLineageHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        self.send(await self.call(views.dataset_lineage, self.service.ws, ref))


class SecretsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        self.send({"secrets": await self.call(views.list_secret_names, self.service.ws)})
