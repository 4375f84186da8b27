"""REST handlers of the data views (``/datastores``, ``/datasets``, ``/secrets``)."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from jupyter_mlws.server import data_views as views
from jupyter_mlws.server.base import MlwsHandler


class DatastoresHandler(MlwsHandler):
    @authenticated
    @authorized
    def get(self) -> None:
        self.send({"datastores": views.list_datastores(self.service.ws)})


class DatastoreHandler(MlwsHandler):
    @authenticated
    @authorized
    def get(self, name: str) -> None:
        self.send(views.get_datastore(self.service.ws, name))


class DatasetsHandler(MlwsHandler):
    @authenticated
    @authorized
    def get(self) -> None:
        self.send({"datasets": views.list_datasets(self.service.ws, self.query("name"))})


class DatasetHandler(MlwsHandler):
    @authenticated
    @authorized
    def get(self, ref: str) -> None:
        self.send(views.get_dataset(self.service.ws, ref))


class DatasetProfileHandler(MlwsHandler):
    @authenticated
    @authorized
    def get(self, ref: str) -> None:
        self.send(views.dataset_profile(self.service.ws, ref))


class DatasetLineageHandler(MlwsHandler):
    @authenticated
    @authorized
    def get(self, ref: str) -> None:
        self.send(views.dataset_lineage(self.service.ws, ref))


class SecretsHandler(MlwsHandler):
    @authenticated
    @authorized
    def get(self) -> None:
        self.send({"secrets": views.list_secret_names(self.service.ws)})
