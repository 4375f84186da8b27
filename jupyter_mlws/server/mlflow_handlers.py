"""The MLflow REST API under ``/mlws/mlflow`` (tracking URI ``http://HOST:PORT/mlws/mlflow``).

Thin: requests are read into dicts, answered by ``jupyter_mlws.mlflow_api`` on the
worker pool, and errors written in MLflow's shape with MLflow's HTTP status for each
error code (its client raises ``MlflowException`` from them and retries only 429/5xx).
Authentication is the server's: MLflow sends ``MLFLOW_TRACKING_TOKEN`` as
``Authorization: Bearer <token>``, which jupyter_server takes like ``token <token>``.
"""

from __future__ import annotations

import io
import json
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from jupyter_mlws.exceptions import InvalidParameterError, MlwsError
from jupyter_mlws.mlflow_api import artifacts, tracking
from jupyter_mlws.mlflow_api.convert import EndpointNotFoundError
from jupyter_mlws.server.base import MlwsHandler

MLFLOW_PREFIX = "mlws/mlflow"
_CHUNK = 1024 * 1024

# MLflow's HTTP status of each error code (mlflow/exceptions.py)
_STATUS = {
    "INVALID_PARAMETER_VALUE": 400,
    "BAD_REQUEST": 400,
    "RESOURCE_ALREADY_EXISTS": 400,
    "RESOURCE_DOES_NOT_EXIST": 404,
    "ENDPOINT_NOT_FOUND": 404,
    "PERMISSION_DENIED": 403,
    "UNAUTHENTICATED": 401,
    "RESOURCE_CONFLICT": 409,
}


class MlflowBaseHandler(MlwsHandler):
    front_door = "mlflow"

    def request_fields(self) -> dict[str, Any]:
        """A GET's query arguments (repeated keys as lists), else the JSON body."""
        if self.request.method == "GET":
            fields: dict[str, Any] = {}
            for name, raw in self.request.query_arguments.items():
                values = [v.decode("utf-8", errors="replace") for v in raw]
                fields[name] = values[0] if len(values) == 1 else values
            return fields
        try:
            body = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise InvalidParameterError("the request body must be a JSON object") from None
        if not isinstance(body, dict):
            raise InvalidParameterError("the request body must be a JSON object")
        return body

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, MlwsError) and exc.error_code in _STATUS:
            self.clear()
            self.set_status(_STATUS[exc.error_code])
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(exc.to_dict()))
            return
        super().write_error(status_code, **kwargs)


class MlflowTrackingHandler(MlflowBaseHandler):
    """``/api/2.0/mlflow/<endpoint>`` (and the UI's ``/ajax-api`` mirror)."""

    async def _answer(self, path: str) -> None:
        fields = self.request_fields()
        method = self.request.method or "GET"
        self.send(await self.call(tracking.call, self.service.ws, method, path, fields))

    @authenticated
    @authorized
    async def get(self, path: str) -> None:
        await self._answer(path)

    @authenticated
    @authorized
    async def post(self, path: str) -> None:
        await self._answer(path)

    @authenticated
    @authorized
    async def patch(self, path: str) -> None:
        await self._answer(path)

    @authenticated
    @authorized
    async def delete(self, path: str) -> None:
        await self._answer(path)


class MlflowArtifactHandler(MlflowBaseHandler):
    """``/api/2.0/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/<path>``."""

    @authenticated
    @authorized
    async def get(self, path: str) -> None:
        entry, stream = await self.call(artifacts.open_file, self.service.ws, path)
        try:
            self.set_header("Content-Type", "application/octet-stream")
            self.set_header("Content-Length", str(entry.size))
            while True:
                chunk = await self.call(stream.read, _CHUNK)
                if not chunk:
                    break
                self.write(chunk)
                await self.flush()
        finally:
            stream.close()
        self.finish()

    @authenticated
    @authorized
    async def put(self, path: str) -> None:
        body = io.BytesIO(self.request.body or b"")
        self.send(await self.call(artifacts.upload, self.service.ws, path, body))

    @authenticated
    @authorized
    async def delete(self, path: str) -> None:
        self.send(await self.call(artifacts.delete, self.service.ws, path))


class MlflowArtifactListHandler(MlflowBaseHandler):
    """``GET /api/2.0/mlflow-artifacts/artifacts?path=<exp>/<run>/artifacts[/sub]``."""

    @authenticated
    @authorized
    async def get(self) -> None:
        path = self.query("path") or ""
        self.send(await self.call(artifacts.list_folder, self.service.ws, path))


class MlflowServerInfoHandler(MlflowBaseHandler):
    """MLflow 3's capability check: no multipart uploads or downloads here."""

    @authenticated
    @authorized
    def get(self) -> None:
        self.send({"multipart_uploads_enabled": False, "multipart_downloads_enabled": False})


class MlflowNotFoundHandler(MlflowBaseHandler):
    @authenticated
    @authorized
    def get(self, path: str) -> None:
        raise EndpointNotFoundError(f"No MLflow endpoint /{path}")

    post = put = patch = delete = get


def mlflow_routes() -> list[tuple[str, Any]]:
    base = f"/{MLFLOW_PREFIX}"
    return [
        (f"{base}/(?:ajax-)?api/2.0/mlflow/(.+)", MlflowTrackingHandler),
        (f"{base}/api/2.0/mlflow-artifacts/artifacts", MlflowArtifactListHandler),
        (f"{base}/api/2.0/mlflow-artifacts/artifacts/(.+)", MlflowArtifactHandler),
        (f"{base}/api/3.0/mlflow/server-info", MlflowServerInfoHandler),
        (f"{base}/(.*)", MlflowNotFoundHandler),
    ]
