"""Loading the user's ``score.py``: ``init()`` once per worker, ``run(data)`` per request."""

from __future__ import annotations

import asyncio
import concurrent.futures.thread
import importlib.util
import inspect
import os
import signal
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, ModuleType
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


class ScoringTimeout(BaseException):
    """Raised inside a slow ``run()`` by the alarm (a BaseException, so that an
    ``except Exception`` in score.py cannot swallow it)."""


class Scorer:
    """Calls ``run(data)``.

    A plain function runs right on the worker's event loop: for a model that answers in
    well under a millisecond, a hop to a thread pool would cost more than the model
    (~0.1-0.2 ms per request). The timeout is kept by an interval timer whose SIGALRM
    raises ``ScoringTimeout`` inside ``run()``. An ``async def run`` (for I/O-bound
    scoring) is awaited under ``asyncio.wait_for``.
    """

    def __init__(self, module: ModuleType) -> None:
        run = getattr(module, "run", None)
        if not callable(run):
            raise ScriptError(f"{module.__file__} defines no run(data) function", "")
        self.run: Callable[[Any], Any] = run
        self.is_async = inspect.iscoroutinefunction(run)
        self._armed = False
        if not self.is_async:
            signal.signal(signal.SIGALRM, self._on_alarm)

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        if self._armed:  # a late alarm, after run() returned, is ignored
            self._armed = False
            raise ScoringTimeout

    async def __call__(self, data: Any, timeout_s: float) -> Any:
        if self.is_async:
            return await asyncio.wait_for(self.run(data), timeout_s)
        self._armed = True
        signal.setitimer(signal.ITIMER_REAL, timeout_s)
        try:
            return self.run(data)
        except ScoringTimeout:
            raise TimeoutError from None
        finally:
            self._armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)


def load_scorer(config: ServiceConfig) -> Scorer:
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
    return Scorer(module)


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
