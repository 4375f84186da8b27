"""The ``mlws`` engine comes to papermill through papermill's own entry point."""

from __future__ import annotations

from importlib.metadata import entry_points


def test_papermill_finds_the_mlws_engine_through_its_entry_point() -> None:
    from papermill.engines import papermill_engines

    from jupyter_mlws.notebooks.papermill_engine import MlwsEngine

    (entry,) = [e for e in entry_points(group="papermill.engine") if e.name == "mlws"]
    assert entry.load() is MlwsEngine
    assert papermill_engines.get_engine("mlws") is MlwsEngine  # without register_engine()
