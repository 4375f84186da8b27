"""The papermill engine ``mlws``: nbclient on an already running kernel, with progress.

Registered through papermill's ``papermill.engine`` entry point (the classes are in
``papermill_engine``, which imports papermill; this module does not). It differs from papermill's
``nbclient`` engine in two ways: it executes on a ``ReadyKernel`` whose client is
already connected (nbclient would spend ~0.2 s re-checking a fresh client), and every
save and finished cell is passed to a ``Progress`` listener.
"""

from __future__ import annotations

from typing import Any, Protocol

ENGINE_NAME = "mlws"


class Progress(Protocol):
    def start(self, notebook: Any) -> None: ...

    def notebook_saved(self) -> None: ...

    def cell_finished(self, cell_index: int) -> None: ...


def register_engine() -> None:
    """Make sure papermill knows the ``mlws`` engine.

    The wheel registers it through papermill's own ``papermill.engine`` entry point;
    a checkout whose package metadata predates that entry point gets it here.
    """
    from papermill.engines import papermill_engines

    if ENGINE_NAME not in papermill_engines._engines:
        from jupyter_mlws.notebooks.papermill_engine import MlwsEngine

        papermill_engines.register(ENGINE_NAME, MlwsEngine)
