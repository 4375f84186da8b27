"""Runs, experiments and run lists display as live widgets when they are a cell's value.

Tracking knows nothing of widgets: the extension registers IPython mime-bundle
formatters for those types. Only in a kernel with a front end (not a terminal), and
only when the widget libraries are installed; otherwise the plain reprs stay.
"""

from __future__ import annotations

import sys
from typing import Any

from jupyter_mlws.exceptions import MissingExtraError
from jupyter_mlws.tracking.experiment import Experiment
from jupyter_mlws.tracking.run import Run

_warned = False


def in_notebook(shell: Any) -> bool:
    """A kernel talking to a front end (Lab, Notebook, VS Code) rather than a terminal."""
    return getattr(shell, "kernel", None) is not None


def widget_for(obj: Any) -> Any | None:
    """The live widget of a run, experiment or run list; None if the extra is missing."""
    try:
        from jupyter_mlws.widgets import ExperimentView, RunDetails, RunTable

        if isinstance(obj, Run):
            return RunDetails(obj)
        if isinstance(obj, Experiment):
            return ExperimentView(obj)
        if is_run_list(obj):
            return RunTable(obj)
    except MissingExtraError as exc:
        _warn_once(exc.message)
    return None


def is_run_list(obj: Any) -> bool:
    return isinstance(obj, list) and bool(obj) and all(isinstance(r, Run) for r in obj)


def _widget_bundle(obj: Any) -> tuple[Any, dict[str, Any]] | None:
    if isinstance(obj, list) and not is_run_list(obj):
        return None  # every other list keeps IPython's usual display
    widget = widget_for(obj)
    if widget is None:
        return None
    bundle: dict[str, Any] = widget._repr_mimebundle_()
    bundle["text/plain"] = repr(obj)  # what front ends without widgets show
    return widget, bundle


def _bundle(obj: Any) -> dict[str, Any] | None:
    made = _widget_bundle(obj)
    return made[1] if made is not None else None


def show(obj: Any) -> None:
    """Display ``obj`` now: as its widget, else its repr.

    The widget gets the output's display handle, so a live run view can replace its
    output's static HTML with the final one when the run ends (what a saved notebook
    keeps).
    """
    from IPython.display import display

    made = _widget_bundle(obj)
    if made is None:
        display(obj)
        return
    widget, bundle = made
    handle = display(bundle, raw=True, display_id=True)
    if hasattr(widget, "display_handle"):
        widget.display_handle = handle


def register_formatters(shell: Any) -> None:
    if not in_notebook(shell):
        return
    formatter = shell.display_formatter.mimebundle_formatter
    for kind in (Run, Experiment, list):
        formatter.for_type(kind, _bundle)


def unregister_formatters(shell: Any) -> None:
    formatter = shell.display_formatter.mimebundle_formatter
    for kind in (Run, Experiment, list):
        if formatter.type_printers.get(kind) is _bundle:
            formatter.pop(kind)


def _warn_once(message: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        print(f"mlws: live views need the widget libraries: {message}", file=sys.stderr)
