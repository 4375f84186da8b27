"""``azureml.widgets``: ``RunDetails(run).show()`` is the native live run widget."""

from __future__ import annotations

from typing import Any


class RunDetails:
    def __init__(self, run_instance: Any) -> None:
        self.run = run_instance

    def show(self, render_lib: Any = None, widget_settings: Any = None) -> Any:
        from IPython.display import display

        from jupyter_mlws.widgets import RunDetails as NativeRunDetails

        widget = NativeRunDetails(self.run)
        display(widget)
        return widget

    def get_widget_data(self, widget_settings: Any = None) -> dict[str, Any]:
        return {"status": self.run.get_status(), "metrics": self.run.get_metrics()}


__all__ = ["RunDetails"]
