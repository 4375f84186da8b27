"""Run handlers: list, submit, get, cancel, re-run, metrics, logs, files, snapshot."""

from __future__ import annotations

import asyncio
import tempfile
from typing import IO
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from tornado.web import authenticated

from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.server.base import MlwsHandler
from jupyter_mlws.server.service import MAX_LOG_READ, RunQuery
from jupyter_mlws.server.submission import Submission
from jupyter_mlws.services import run_files

CHUNK = 256 * 1024
MAX_PAGE = 1000
MAX_CHART_POINTS = 100_000


class RunsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self) -> None:
        order = self.query("order", "desc")
        if order not in ("asc", "desc"):
            raise InvalidParameterError("order must be asc or desc")
        query = RunQuery(
            experiment=self.query("experiment"),
            statuses=self.query_list("status"),
            parent_id=self.query("parent_id"),
            include_children=self.query_bool("include_children"),
            compute=self.query("compute"),
            kind=self.query("kind"),
            tags=dict(_pair(tag) for tag in self.query_list("tag")),
            sort=self.query("sort", "created") or "created",
            descending=order == "desc",
            limit=self.query_int("limit", self.service.settings.page_size, 1, MAX_PAGE),
            page_token=self.query("page_token"),
        )
        self.send(await self.call(self.service.list_runs, query))

    @authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body("SubmitRequest")
        submission = Submission(
            path=body["path"],
            experiment=body.get("experiment", "Default"),
            compute=body.get("compute", "local"),
            parameters=body.get("parameters", {}),
            arguments=[str(a) for a in body.get("arguments", [])],
            display_name=body.get("display_name"),
            tags=body.get("tags", {}),
        )
        # snapshotting the folder is the slow part: in a worker process, off the loop
        details = await asyncio.wrap_future(self.service.submissions.submit(submission))
        self.send(details, status=201)


class RunHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        self.send(await self.call(self.service.get_run, ref))


class RunCancelHandler(MlwsHandler):
    @authenticated
    @authorized
    async def post(self, ref: str) -> None:
        self.send(await self.call(self.service.cancel_run, ref))


class RunRerunHandler(MlwsHandler):
    @authenticated
    @authorized
    async def post(self, ref: str) -> None:
        self.send(await self.call(self.service.rerun, ref), status=201)


class MetricsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        self.send({"metrics": await self.call(self.service.metrics, ref)})


class ValuesHandler(MlwsHandler):
    @authenticated
    @authorized
    def get(self, ref: str) -> None:
        self.send({"values": self.service.values(ref)})


class MetricHistoryHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        key = self.get_query_argument("key")
        max_points = self.query_int("max_points", 0, 0, MAX_CHART_POINTS) or None
        if max_points is not None and max_points < 2:
            max_points = 2
        self.send(await self.call(self.service.metric_history, ref, key, max_points))


class LogsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        name = self.query("name", "std_log.txt") or "std_log.txt"
        offset = self.query_int("offset", 0, 0, 2**62)
        max_bytes = self.query_int("max_bytes", 256 * 1024, 1, MAX_LOG_READ)
        self.send(await self.call(self.service.read_log, ref, name, offset, max_bytes))


class ArtifactsHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        run_id = await self.call(self.service.resolve_run, ref)
        prefix = self.query("prefix", "") or ""
        self.send(
            {"files": await self.call(run_files.list_artifacts, self.service.ws, run_id, prefix)}
        )


class ArtifactContentHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        run_id = await self.call(self.service.resolve_run, ref)
        path = self.get_query_argument("path")
        download = await self.call(run_files.artifact, self.service.ws, run_id, path)
        self.set_header("Content-Length", str(download.size))
        self.set_header("Content-Disposition", _attachment(download.filename))
        self.set_header("ETag", f'"{download.digest}"')
        source = await asyncio.to_thread(run_files.open_blob, self.service.ws, download.digest)
        await _stream(self, source, download.content_type)


class ArtifactOpenHandler(MlwsHandler):
    @authenticated
    @authorized
    async def post(self, ref: str) -> None:
        run_id = await self.call(self.service.resolve_run, ref)
        body = self.json_body("OpenArtifactRequest")
        settings = self.service.settings
        path = await self.call(
            run_files.open_output_notebook,
            self.service.ws,
            run_id,
            body["path"],
            settings.root_dir,
            settings.outputs_dir,
        )
        self.send({"path": path})


class SnapshotHandler(MlwsHandler):
    @authenticated
    @authorized
    async def get(self, ref: str) -> None:
        ws = self.service.ws
        run_id = await self.call(self.service.resolve_run, ref)
        snapshot_id, filename = await self.call(run_files.snapshot_name, ws, run_id)
        spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        await asyncio.to_thread(run_files.write_snapshot_zip, ws, snapshot_id, spool)
        spool.seek(0)
        self.set_header("Content-Disposition", _attachment(filename))
        await _stream(self, spool, "application/zip")


async def _stream(handler: MlwsHandler, source: IO[bytes], content_type: str) -> None:
    handler.set_header("Content-Type", content_type)
    with source:
        while chunk := await asyncio.to_thread(source.read, CHUNK):
            handler.write(chunk)
            await handler.flush()
    handler.finish(set_content_type=content_type)


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise InvalidParameterError(f"tag filter {text!r} must be key=value")
    return key, value


def _attachment(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"
