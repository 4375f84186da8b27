"""Live notebook views of runs and experiments (ipywidgets 8 + plotly ``FigureWidget``).

Only standard widgets, so they render in JupyterLab 4, Notebook 7 and VS Code alike.
The widget classes need the ``notebook`` extra; importing them says so when it is
missing. Submodules without widgets (``html``) import without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jupyter_mlws.exceptions import require

if TYPE_CHECKING:
    from jupyter_mlws.widgets.experiment_view import ExperimentView
    from jupyter_mlws.widgets.run_details import RunDetails
    from jupyter_mlws.widgets.run_table import RunTable

_EXPORTS = {
    "ExperimentView": "jupyter_mlws.widgets.experiment_view",
    "RunDetails": "jupyter_mlws.widgets.run_details",
    "RunTable": "jupyter_mlws.widgets.run_table",
}


def require_widgets() -> None:
    """``MissingExtraError`` naming the ``notebook`` extra when a widget library is absent."""
    require("ipywidgets", "notebook")
    require("plotly", "notebook")
    require("anywidget", "notebook")  # plotly's FigureWidget is an anywidget


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    require_widgets()
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = ["ExperimentView", "RunDetails", "RunTable", "require_widgets"]
