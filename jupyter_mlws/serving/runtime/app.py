"""The ASGI app of a scoring service: ``POST /score``, Open Inference Protocol v2, health.

``POST /score`` is answered right here, from the ASGI scope (it is the hot path, and
Starlette's request, routing and middleware layers would cost more than a small
model); every other route goes through Starlette. Both share one core: key check,
body read under the limit, JSON, ``run()``, JSON back.

Bad input gets a JSON answer with a clear status: 400 malformed JSON, 401 missing or
wrong key, 413 body over the limit, 500 with an error id when ``run()`` raises (the
traceback goes to the service log under that id; ``SystemExit`` and other
BaseExceptions too), 504 past the timeout (the slow ``run()`` keeps only its own thread
busy, see ``scoring.Scorer``).
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from . import oip, prom
from .collector import DataCollector
from .config import ServedModel, ServiceConfig
from .keys import KeyRing
from .requestlog import RequestLog, request_id
from .scoring import RunRaised, Scorer, user_traceback
from .telemetry import Telemetry

JSON = b"application/json"
_DUMPS_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS

Work = Callable[[bytes], Awaitable[Any]]


@dataclass
class ServiceState:
    draining: bool = False


class RequestError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.payload = {"error": message, **extra}


class ScoringApp:
    def __init__(
        self,
        config: ServiceConfig,
        scorer: Scorer,
        keys: KeyRing | None,
        telemetry: Telemetry,
        state: ServiceState,
        request_log: RequestLog | None = None,
        metrics: prom.ServiceMetrics | None = None,
        collector: DataCollector | None = None,
    ) -> None:
        self.config = config
        self.collector = collector
        self.request_log = request_log
        self.metrics = metrics
        self.scorer = scorer
        self.keys = keys
        self.telemetry = telemetry
        self.state = state
        self.decode: Callable[[bytes], Any] = parse_json  # the v1 contract passes text
        self.model_names: dict[str, ServedModel | None] = {m.name: m for m in config.models}
        self.model_names.setdefault(config.name, None)  # the endpoint's own name works too
        self.routes = Starlette(
            routes=[
                Route("/score", self.score, methods=["POST"]),
                Route("/health", self.health, methods=["GET"]),
                Route("/metrics", self.prometheus, methods=["GET"]),
                Route("/v2", self.server_metadata, methods=["GET"]),
                Route("/v2/health/live", self.live, methods=["GET"]),
                Route("/v2/health/ready", self.ready, methods=["GET"]),
                Route("/v2/models/{name}", self.model_metadata, methods=["GET"]),
                Route("/v2/models/{name}/ready", self.model_ready, methods=["GET"]),
                Route("/v2/models/{name}/infer", self.infer, methods=["POST"]),
                Route("/v2/models/{name}/versions/{version}", self.model_metadata, methods=["GET"]),
                Route("/v2/models/{name}/versions/{version}/infer", self.infer, methods=["POST"]),
            ]
        )

    # ---- ASGI -----------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.routes(scope, receive, send)
            return
        started = time.perf_counter()
        rid = request_id(scope["headers"])
        scope["mlws.request_id"] = rid
        metrics = self.metrics
        if metrics is not None:
            metrics.started()
        counted = [0, 0, 500]  # bytes in, bytes out, status

        async def counting_receive() -> Message:
            message = await receive()
            counted[0] += len(message.get("body", b""))
            return message

        try:
            if scope["path"] == "/score" and scope["method"] == "POST":
                counted[2], counted[1] = await self._fast_score(scope, counting_receive, send, rid)
            else:
                await self.routes(scope, counting_receive, self._tracking_send(send, rid, counted))
        finally:
            seconds = time.perf_counter() - started
            if metrics is not None:
                metrics.finished(prom.route_of(scope["path"]), counted[2], seconds)
            if self.request_log is not None:
                self.request_log.record(
                    (
                        int(time.time() * 1000),
                        rid,
                        scope["method"],
                        scope["path"],
                        counted[2],
                        seconds * 1000,
                        counted[0],
                        counted[1],
                    )
                )

    @staticmethod
    def _tracking_send(send: Send, rid: str, counted: list[int]) -> Send:
        """``send`` that adds the request id header and notes the status and body size."""
        header = (b"x-request-id", rid.encode())

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                counted[2] = int(message["status"])
                message = {**message, "headers": [*message.get("headers", ()), header]}
            elif message["type"] == "http.response.body":
                counted[1] += len(message.get("body", b""))
            await send(message)

        return tracking_send

    async def _fast_score(
        self, scope: Scope, receive: Receive, send: Send, rid: str
    ) -> tuple[int, int]:
        authorization: str | None = None
        declared: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"content-length":
                declared = value
        status, content = await self._answer(authorization, declared, receive, self._score, rid)
        headers = [
            (b"content-type", JSON),
            (b"content-length", str(len(content)).encode()),
            (b"x-request-id", rid.encode()),
        ]
        headers += self._extra_headers(status)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})
        return status, len(content)

    # ---- Starlette routes -------------------------------------------------------------
    async def score(self, request: Request) -> Response:  # reached only by a mounted app
        return await self._respond(request, self._score)

    async def infer(self, request: Request) -> Response:
        async def work(body: bytes) -> Any:
            name = self._model(request)
            version = request.path_params.get("version") or self._version_of(name)
            document = parse_json(body)
            try:
                data = oip.decode_inputs(document)
            except oip.TensorError as exc:
                raise RequestError(400, str(exc)) from None
            result = await self._run(data)
            request_id = document.get("id") if isinstance(document, dict) else None
            return oip.encode_outputs(result, name, version, request_id)

        return await self._respond(request, work)

    async def model_metadata(self, request: Request) -> Response:
        async def work(body: bytes) -> Any:
            name = self._model(request)
            version = self._version_of(name)
            return {
                "name": name,
                "versions": [version] if version else [],
                "platform": "mlws-score-py",
                "inputs": [],
                "outputs": [],
            }

        return await self._respond(request, work, read_body=False)

    async def model_ready(self, request: Request) -> Response:
        async def work(body: bytes) -> Any:
            return {"name": self._model(request), "ready": True}

        return await self._respond(request, work, read_body=False)

    async def prometheus(self, request: Request) -> Response:
        """The service's Prometheus metrics, behind the same keys as scoring."""
        try:
            self._authorize(request.headers.get("authorization"))
        except RequestError as exc:
            return self._response(exc.status, {**exc.payload, "request_id": _rid(request)})
        if self.metrics is None:
            return self._response(501, {"error": prom.MISSING, "request_id": _rid(request)})
        loop = asyncio.get_running_loop()
        content, media_type = await loop.run_in_executor(None, prom.render)  # reads files
        return Response(content, media_type=media_type)

    async def health(self, request: Request) -> Response:
        return self._response(200, {"status": "Healthy", "endpoint": self.config.name})

    async def live(self, request: Request) -> Response:
        return self._response(200, {"live": True})

    async def ready(self, request: Request) -> Response:
        ready = not self.state.draining
        return self._response(200 if ready else 503, {"ready": ready})

    async def server_metadata(self, request: Request) -> Response:
        return self._response(200, {"name": "mlws", "version": "1", "extensions": []})

    async def _respond(self, request: Request, work: Work, read_body: bool = True) -> Response:
        declared = request.headers.get("content-length")
        status, content = await self._answer(
            request.headers.get("authorization"),
            declared.encode() if declared is not None else None,
            request.receive,
            work,
            _rid(request),
            read_body=read_body,
        )
        response = Response(content, status_code=status, media_type="application/json")
        for name, value in self._extra_headers(status):
            response.headers[name.decode()] = value.decode()
        return response

    # ---- the shared core --------------------------------------------------------------
    async def _answer(
        self,
        authorization: str | None,
        declared_length: bytes | None,
        receive: Receive,
        work: Work,
        rid: str,
        read_body: bool = True,
    ) -> tuple[int, bytes]:
        """Key, body, work, JSON: always an answer, with telemetry recorded."""
        started = time.perf_counter()
        try:
            self._authorize(authorization)
            body = await self._read_body(receive, declared_length) if read_body else b""
            status, content = 200, self._dumps(await work(body))
            if self.collector is not None and read_body:
                self.collector.offer(rid, body, content)
        except RequestError as exc:
            status, content = exc.status, orjson.dumps({**exc.payload, "request_id": rid})
        except Exception as exc:
            error = self._internal_error("the service", exc)
            status, content = 500, orjson.dumps({**error, "request_id": rid})
        self.telemetry.record((time.perf_counter() - started) * 1000, status)
        return status, content

    async def _score(self, body: bytes) -> Any:
        return await self._run(self.decode(body))

    async def _run(self, data: Any) -> Any:
        try:
            return await self.scorer(data, self.config.timeout_s)
        except TimeoutError:
            error_id = uuid.uuid4().hex[:12]
            timeout = f"{self.config.timeout_s:g} s timeout"
            _log(f"error {error_id}: run() took longer than the {timeout}")
            raise RequestError(
                504, f"scoring took longer than the {timeout}", error_id=error_id
            ) from None
        except RequestError:
            raise
        except RunRaised as exc:  # SystemExit and the like: a 500 like any other error
            info = self._internal_error("run()", exc.original)
            raise RequestError(500, info["error"], error_id=info["error_id"]) from None
        except Exception as exc:
            info = self._internal_error("run()", exc)
            raise RequestError(500, info["error"], error_id=info["error_id"]) from None

    def _authorize(self, authorization: str | None) -> None:
        if self.keys is not None and not self.keys.check(authorization):
            raise RequestError(
                401, "missing or wrong key: send the header 'Authorization: Bearer <key>'"
            )

    async def _read_body(self, receive: Receive, declared: bytes | None) -> bytes:
        limit = self.config.max_body_bytes
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise RequestError(413, f"the request body is over the {limit} byte limit")
        chunks = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise RequestError(400, "the client went away before sending its request")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise RequestError(413, f"the request body is over the {limit} byte limit")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _dumps(self, payload: Any) -> bytes:
        try:
            return orjson.dumps(payload, option=_DUMPS_OPTIONS)
        except TypeError as exc:
            info = self._internal_error("encoding run()'s result as JSON", exc)
            raise RequestError(500, info["error"], error_id=info["error_id"]) from None

    def _extra_headers(self, status: int) -> list[tuple[bytes, bytes]]:
        extra = []
        if status == 401:
            extra.append((b"www-authenticate", b"Bearer"))
        if self.state.draining:  # let keep-alive clients move to the new workers
            extra.append((b"connection", b"close"))
        return extra

    def _model(self, request: Request) -> str:
        name = str(request.path_params["name"])
        if name not in self.model_names:
            known = ", ".join(sorted(self.model_names))
            raise RequestError(404, f"no model {name!r} here (this endpoint serves: {known})")
        return name

    def _version_of(self, name: str) -> str | None:
        model = self.model_names.get(name)
        return str(model.version) if model is not None and model.version is not None else None

    def _internal_error(self, where: str, exc: BaseException) -> dict[str, str]:
        error_id = uuid.uuid4().hex[:12]
        _log(f"error {error_id}: {where} raised\n{user_traceback(exc)}")
        return {"error": f"{where} raised {type(exc).__name__}: {exc}", "error_id": error_id}

    def _response(self, status: int, payload: Any) -> Response:
        response = Response(
            orjson.dumps(payload), status_code=status, media_type="application/json"
        )
        for name, value in self._extra_headers(status):
            response.headers[name.decode()] = value.decode()
        return response


def parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        detail = "the body is empty" if not body.strip() else str(exc)
        raise RequestError(400, f"malformed JSON: {detail}") from None


def build_app(
    config: ServiceConfig,
    scorer: Scorer,
    keys: KeyRing | None,
    telemetry: Telemetry,
    state: ServiceState,
    request_log: RequestLog | None = None,
    metrics: prom.ServiceMetrics | None = None,
    collector: DataCollector | None = None,
) -> ScoringApp:
    return ScoringApp(config, scorer, keys, telemetry, state, request_log, metrics, collector)


def _rid(request: Request) -> str:
    return str(request.scope.get("mlws.request_id", ""))


def _log(message: str) -> None:
    print(f"[mlws] {message}", file=sys.stderr, flush=True)
