"""What a notebook front end learns about widgets from a real kernel: its iopub messages.

A real ipykernel runs the code; this side keeps each widget model's state the way the
browser's widget manager does (comm_open, then state updates), and applies plotly's
restyle messages to the figure's traces the way plotly's front end does. So a test can
ask "what does the chart show now?" without a browser, and a message the kernel never
sends is a point the user never sees.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager, start_new_kernel


@dataclass
class Model:
    name: str
    state: dict[str, Any]
    buffers: list[bytes] = field(default_factory=list)
    restyles: int = 0

    def traces(self) -> list[dict[str, Any]]:
        return list(self.state.get("_widget_data") or [])


class FrontEnd:
    def __init__(self) -> None:
        self.km: KernelManager
        self.kc: BlockingKernelClient
        self.km, self.kc = start_new_kernel(kernel_name="python3")
        self.models: dict[str, Model] = {}
        self.outputs: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self._idle = set()

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def execute(self, code: str) -> None:
        """Run ``code`` and wait for the kernel to finish it (widgets may go on updating)."""
        msg_id = self.submit(code)
        self.until(lambda: self.finished(msg_id), what=f"the kernel to run {code[:60]!r}")

    def submit(self, code: str) -> str:
        """Start running ``code``; returns at once (``finished`` tells when it is done)."""
        return self.kc.execute(code)

    def finished(self, msg_id: str) -> bool:
        return msg_id in self._idle

    _idle: set[str]

    def until(self, condition: Callable[[], bool], *, what: str, timeout: float = 120) -> None:
        """Read iopub until ``condition`` holds (a generous deadline, not a sleep)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting for {what}; kernel errors: {self.errors}")
            try:
                msg = self.kc.get_iopub_msg(timeout=0.5)
            except queue.Empty:
                continue
            self._handle(msg)

    def _handle(self, msg: dict[str, Any]) -> None:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status" and content["execution_state"] == "idle":
            self._idle.add(msg["parent_header"].get("msg_id", ""))
        elif kind == "error":
            self.errors.append(content)
        elif kind in ("display_data", "execute_result", "update_display_data"):
            self.outputs.append({"type": kind, **content})
        elif kind == "comm_open":
            state = content["data"]["state"]
            self.models[content["comm_id"]] = Model(state.get("_model_name", ""), dict(state))
        elif kind == "comm_msg" and content["data"].get("method") == "update":
            model = self.models.get(content["comm_id"])
            if model is not None:
                self._update(model, content["data"]["state"])

    @staticmethod
    def _update(model: Model, state: dict[str, Any]) -> None:
        restyle = state.pop("_py2js_restyle", None)
        model.state.update(state)
        if restyle:  # plotly's front end applies it to the trace it names
            model.restyles += 1
            for index in restyle["restyle_traces"]:
                trace = model.state["_widget_data"][index]
                for key, values in restyle["restyle_data"].items():
                    trace[key] = values[0] if isinstance(values, list) else values

    def figures(self) -> list[Model]:
        return [m for m in self.models.values() if "_widget_data" in m.state]

    def figure_titled(self, title: str) -> Model | None:
        for model in self.figures():
            layout = model.state.get("_widget_layout") or {}
            if (layout.get("title") or {}).get("text") == title:
                return model
        return None

    def html_values(self) -> str:
        return "\n".join(
            str(m.state.get("value", "")) for m in self.models.values() if m.name == "HTMLModel"
        )


def point_count(figure: Model | None) -> int:
    """How many points the front end would draw (x arrives as a list: int64 steps)."""
    if figure is None or not figure.traces():
        return 0
    x = figure.traces()[0].get("x")
    return len(x) if isinstance(x, list) else 0
