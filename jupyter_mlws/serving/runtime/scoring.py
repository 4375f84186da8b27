"""Loading the user's ``score.py``: ``init()`` once per worker, ``run(data)`` per request."""

from __future__ import annotations

import asyncio
import concurrent.futures.thread
import importlib.util
import inspect
import os
import sys
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from .config import ServiceConfig

MODEL_DIR_ENV = ("MLWS_MODEL_DIR", "AZUREML_MODEL_DIR")


@dataclass
class ScriptError(Exception):
    """``score.py`` could not be loaded or its ``init()`` raised: message and traceback."""

    message: str
    traceback: str

    def __str__(self) -> str:
        return self.message


class RunRaised(Exception):
    """``run()`` raised a BaseException that is not an Exception (``SystemExit``,
    ``KeyboardInterrupt``, …): carried as an ordinary error, so that it is answered as
    a JSON 500 like any other and can neither stop the worker nor reach uvicorn."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


class Scorer:
    """Calls ``run(data)`` so that no ``run()`` can hold up the others.

    A plain ``run()`` runs on a bounded pool of threads, never on the worker's event
    loop: while one is slow the loop goes on reading, scoring and answering the other
    requests, and a request past the timeout is answered 504 at once and gives up its
    slot. ``threads`` calls run at once (``run()`` must tolerate that, as for any
    threaded server); more wait for a slot, within their timeout.

    A thread cannot be stopped from outside, so a ``run()`` past its timeout keeps its
    thread ("stuck") until it returns. Stuck threads do not take slots: the pool has
    room for ``max_stuck`` of them besides the ``threads`` working ones. When that many
    are stuck at once, ``on_stuck`` asks for this worker to be replaced (the supervisor
    starts a fresh one, then drains this one), so a ``run()`` that never returns costs
    a worker restart, not the service.

    An ``async def run`` (for I/O-bound scoring) is awaited on the loop under
    ``asyncio.wait_for``.
    """

    def __init__(
        self,
        module: ModuleType,
        *,
        threads: int = 4,
        max_stuck: int = 8,
        on_stuck: Callable[[int], None] | None = None,
    ) -> None:
        run = getattr(module, "run", None)
        if not callable(run):
            raise ScriptError(f"{module.__file__} defines no run(data) function", "")
        self.run: Callable[[Any], Any] = run
        self.is_async = inspect.iscoroutinefunction(run)
        self.threads = max(1, threads)
        self.max_stuck = max(1, max_stuck)
        self.on_stuck = on_stuck
        self._stuck = 0
        self._stuck_lock = threading.Lock()
        self._slots: asyncio.Semaphore | None = None
        self._pool: ThreadPoolExecutor | None = None

    @property
    def stuck(self) -> int:
        """Threads still inside a ``run()`` whose request already timed out."""
        return self._stuck

    async def __call__(self, data: Any, timeout_s: float) -> Any:
        if self.is_async:
            return await asyncio.wait_for(self._run_async(data), timeout_s)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        slots = self._slots_here()
        await asyncio.wait_for(slots.acquire(), timeout_s)
        try:
            future = self._pool_here().submit(self._run_sync, data)
            try:
                left = max(0.0, deadline - loop.time())
                return await asyncio.wait_for(asyncio.wrap_future(future), left)
            except TimeoutError:
                self._left_running(future)
                raise
        finally:
            slots.release()

    def _run_sync(self, data: Any) -> Any:
        try:
            return self.run(data)
        except Exception:
            raise
        except BaseException as exc:
            raise RunRaised(exc) from None

    async def _run_async(self, data: Any) -> Any:
        try:
            return await self.run(data)
        except (Exception, asyncio.CancelledError):
            raise
        except BaseException as exc:
            raise RunRaised(exc) from None

    def _left_running(self, future: Future[Any]) -> None:
        """A timed-out call: count its thread as stuck until ``run()`` returns."""
        if future.cancel() or future.done():
            return  # it never started, or it has just finished: nothing is stuck
        with self._stuck_lock:
            self._stuck += 1
            stuck = self._stuck
        future.add_done_callback(self._unstick)
        if stuck >= self.max_stuck and self.on_stuck is not None:
            self.on_stuck(stuck)

    def _unstick(self, _future: Future[Any]) -> None:
        with self._stuck_lock:
            self._stuck -= 1

    def _slots_here(self) -> asyncio.Semaphore:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.threads)
        return self._slots

    def _pool_here(self) -> ThreadPoolExecutor:
        # Never shut down or joined: the worker ends with os._exit, stuck threads or not.
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads + self.max_stuck, "mlws-run")
        return self._pool


def load_scorer(config: ServiceConfig, on_stuck: Callable[[int], None] | None = None) -> Scorer:
    """Import ``score.py`` from its folder and call its ``init()``."""
    for name in MODEL_DIR_ENV:
        os.environ[name] = config.model_dir
    os.environ.update(config.env)
    source = Path(config.source_dir)
    sys.path.insert(0, str(source))
    os.chdir(source)
    script = Path(config.entry_script)
    try:
        module = _import(script)
    except ScriptError:
        raise
    except BaseException as exc:  # SystemExit counts too, with its traceback
        raise _failure(f"importing {script.name}", exc) from None
    init = getattr(module, "init", None)
    if callable(init):
        try:
            init()
        except BaseException as exc:
            raise _failure(f"init() of {script.name}", exc) from None
    return Scorer(
        module, threads=config.threads, max_stuck=config.max_stuck_threads, on_stuck=on_stuck
    )


def _import(script: Path) -> ModuleType:
    if not script.is_file():
        raise ScriptError(f"entry script {script} does not exist", "")
    spec = importlib.util.spec_from_file_location(script.stem, script)
    if spec is None or spec.loader is None:
        raise ScriptError(f"cannot import {script}", "")
    module = importlib.util.module_from_spec(spec)
    sys.modules[script.stem] = module
    spec.loader.exec_module(module)
    return module


def _failure(where: str, exc: BaseException) -> ScriptError:
    return ScriptError(f"{where} raised {type(exc).__name__}: {exc}", user_traceback(exc))


def user_traceback(exc: BaseException) -> str:
    """The traceback from the user's first frame on: ours and importlib's are noise."""
    tb = exc.__traceback__
    while tb is not None and _is_ours(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))


def _is_ours(filename: str) -> bool:
    return filename.startswith("<frozen") or os.path.dirname(filename) in _PLUMBING


_PLUMBING = frozenset(
    os.path.dirname(os.path.abspath(path))
    for path in (__file__, asyncio.__file__, concurrent.futures.thread.__file__)
)
