"""The run ``Run.get_context()`` returns outside any run: made when first used.

A plain script or notebook that calls ``Run.get_context()`` "just in case" must not
leave an empty run behind each time it is executed; the interactive run is created in
the store at the first thing that needs it (a metric, a tag, its id, its record), and
from then on it is an ordinary persisted run, ended at exit as ``Run.start`` runs are.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from jupyter_mlws.entities import RunRecord
from jupyter_mlws.tracking.run import Run

if TYPE_CHECKING:
    from jupyter_mlws.tracking.workspace import Workspace


class DeferredRun(Run):
    def __init__(self, experiment_name: str) -> None:  # no record yet: nothing stored
        self._experiment_name = experiment_name
        self._lock = threading.Lock()
        self._real: Run | None = None
        self._owned = True

    @property
    def created(self) -> bool:
        """Whether the run exists in the store yet (for callers that only look)."""
        return self._real is not None

    def _materialize(self) -> Run:
        real = self._real
        if real is not None:  # the hot path (every log call): no lock
            return real
        with self._lock:
            if self._real is None:
                from jupyter_mlws.tracking.workspace import Workspace

                experiment = Workspace.current().experiment(self._experiment_name)
                self._real = Run.start(experiment)
            return self._real

    # Everything a Run does goes through these three: the first use creates the run.
    @property
    def id(self) -> str:
        return self._materialize().id

    @id.setter
    def id(self, value: str) -> None:  # Run.__init__ assigns it; never called here
        raise AttributeError("a run's id cannot change")

    @property
    def workspace(self) -> Workspace:
        return self._materialize().workspace

    @workspace.setter
    def workspace(self, value: Workspace) -> None:
        raise AttributeError("a run's workspace cannot change")

    @property
    def _record(self) -> RunRecord:
        return self._materialize()._record

    @_record.setter
    def _record(self, value: RunRecord) -> None:
        self._materialize()._record = value

    def __repr__(self) -> str:
        if self._real is None:
            return f"<Run (not created until something is logged) in {self._experiment_name!r}>"
        return repr(self._real)
