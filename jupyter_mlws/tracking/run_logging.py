"""The logging half of ``Run``: metrics, rows, tables, images, params and tags."""

from __future__ import annotations

import io
import numbers
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.entities import is_system_metric, validate_metric_value, validate_name
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.tracking.metric_writer import clock, get_writer

if TYPE_CHECKING:
    from jupyter_mlws.tracking.metric_writer import SeriesBuffer
    from jupyter_mlws.tracking.workspace import Workspace


class RunLogging:
    id: str
    workspace: Workspace
    _upload_bytes: Callable[[str, bytes], None]  # provided by RunFiles

    _metric_buffers: dict[str, SeriesBuffer]  # this run's series in the metric writer

    def log(self, name: str, value: Any, description: str = "", step: int | None = None) -> None:
        """Log a number (a point of the metric ``name``), a bool, or a string.

        Without ``step=`` a number goes at the run's current step, shared by all its
        metrics, unless ``name`` already has a point there; then the current step first
        advances by one. An explicit ``step`` is kept and moves the current step to
        max(current, step). (``metric_writer.default_step``; the README says the same.)
        """
        if type(value) is float and (step is None or (type(step) is int and step >= 0)):
            # Hot path (a few array appends, no lock): add to this series' buffer while it
            # has room. See SeriesBuffer for why no lock is needed; the slow path below
            # grants room under the buffer cap, applies backpressure or counts drops.
            # Steps: metric_writer.default_step / explicit_step, inlined.
            series = self._metric_buffers.get(name)
            if series is not None and len(series.stamps) < series.limit:
                run = series.run
                if step is None:
                    step = run.step
                    last = series.last
                    if last >= step:
                        step = run.step = last + 1
                    series.last = step
                else:
                    if step > series.last:
                        series.last = step
                    if step > run.step:
                        run.step = step
                series.values.append(value)
                series.steps.append(step)
                series.stamps.append(clock())
                return
            number = value
        elif type(value) is int:
            try:
                number = float(value)
            except OverflowError:  # an int beyond float64 (10**400)
                number = validate_metric_value(name, value)  # raises the typed error
        elif isinstance(value, str):
            self.workspace.store.add_value(self.id, validate_name("metric", name), "string", value)
            return
        else:
            number = validate_metric_value(name, value)
        if step is not None and (type(step) is not int or step < 0):
            raise InvalidParameterError(
                f"step of {name!r} must be a non-negative int, got {step!r}"
            )
        get_writer().add(self.workspace.store, self.id, name, number, step, self._metric_buffers)

    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        """Several metrics at once; without ``step=`` their numbers share one step (the
        run's current step, or the next one if any of them already has a point there)."""
        numbers = [n for n, v in metrics.items() if not isinstance(v, str)]
        if step is None and len(numbers) > 1:
            for name in numbers:  # a bad value raises before the step is taken
                value = metrics[name]
                if type(value) is not float:
                    validate_metric_value(name, value)
            step = get_writer().row_step(
                self.workspace.store, self.id, numbers, self._metric_buffers
            )
        for name, value in metrics.items():
            self.log(name, value, step=step)

    def log_list(self, name: str, values: Sequence[Any], description: str = "") -> None:
        """A list logged at once; numeric lists are also a series (step = index)."""
        values = list(values)
        if values and all(_is_number(v) for v in values):
            for step, value in enumerate(values):
                self.log(name, value, step=step)
            return
        self.workspace.store.add_value(self.id, validate_name("metric", name), "list", values)

    def log_row(self, name: str, **columns: Any) -> None:
        """One row of a table built row by row (Azure's ``log_row``)."""
        if not columns:
            raise InvalidParameterError(f"log_row({name!r}) needs at least one column=value")
        self.workspace.store.add_value(self.id, validate_name("metric", name), "row", columns)

    def log_table(
        self, name: str, value: Mapping[str, Sequence[Any]], description: str = ""
    ) -> None:
        """A whole table as ``{column: [values…]}`` with columns of equal length."""
        lengths = {len(list(v)) for v in value.values()}
        if not value or len(lengths) != 1:
            raise InvalidParameterError(f"log_table({name!r}) needs a dict of equally long columns")
        table = {str(k): list(v) for k, v in value.items()}
        self.workspace.store.add_value(self.id, validate_name("metric", name), "table", table)

    def log_image(
        self, name: str, path: str | Path | None = None, plot: Any = None, description: str = ""
    ) -> None:
        """An image from a file or a matplotlib figure/pyplot, stored as an artifact."""
        validate_name("metric", name)
        if plot is None and (hasattr(path, "savefig") or hasattr(path, "gcf")):
            path, plot = None, path  # log_image("name", fig): a figure given positionally
        if (path is None) == (plot is None):
            raise InvalidParameterError("log_image needs exactly one of path= or plot=")
        if path is not None:
            source = Path(path)
            if not source.is_file():
                raise InvalidParameterError(f"log_image: no such file {str(source)!r}")
            data, suffix = source.read_bytes(), source.suffix or ".png"
        else:
            figure = plot.gcf() if hasattr(plot, "gcf") else plot
            if not hasattr(figure, "savefig"):
                raise InvalidParameterError("log_image(plot=…) takes a matplotlib figure or pyplot")
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", bbox_inches="tight")
            data, suffix = buffer.getvalue(), ".png"
        seq = len(self.workspace.store.list_values(self.id, name)) + 1
        artifact = f"images/{name}/{seq}{suffix}"
        self._upload_bytes(artifact, data)
        self.workspace.store.add_value(self.id, name, "image", {"path": artifact})

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Params are immutable: the same value again is fine, a different one is an error."""
        self.workspace.store.set_params(self.id, params)

    def log_param(self, name: str, value: Any) -> None:
        self.log_params({name: value})

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        self.workspace.store.set_tags(self.id, tags)

    def tag(self, key: str, value: Any = "") -> None:
        self.set_tags({key: value})

    def remove_tags(self, keys: Sequence[str]) -> None:
        self.workspace.store.remove_tags(self.id, keys)

    def add_properties(self, properties: Mapping[str, Any]) -> None:
        self.workspace.store.set_properties(self.id, properties)

    def flush(self) -> None:
        """Write buffered metric points now."""
        get_writer().flush(self.id)

    def get_metrics(self, name: str | None = None, system: bool = False) -> dict[str, Any]:
        """Azure's shape: a single value, a list for series, columns for rows, a table.

        What the user logged; the sampled ``system/*`` series only when named or with
        ``system=True`` (v1 code expects its own metrics here)."""
        self.flush()
        store = self.workspace.store
        out: dict[str, Any] = {}
        for key in store.metric_keys(self.id):
            if key == name or (name is None and (system or not is_system_metric(key))):
                out[key] = _one_or_list(store.metric_history(self.id, key).values.tolist())
        grouped: dict[str, list[Any]] = {}
        kinds: dict[str, str] = {}
        for item in store.list_values(self.id, name):
            grouped.setdefault(item.key, []).append(item.value)
            kinds[item.key] = item.kind
        for key, values in grouped.items():
            if kinds[key] == "row":
                columns: dict[str, list[Any]] = {}
                for row in values:
                    for column, value in row.items():
                        columns.setdefault(column, []).append(value)
                out[key] = columns
            elif kinds[key] in ("table", "list"):
                out[key] = values[-1]
            elif kinds[key] == "image":
                out[key] = _one_or_list([v["path"] for v in values])
            else:
                out[key] = _one_or_list(values)
        return out

    def get_metric_history(self, name: str) -> dict[str, list[Any]]:
        self.flush()
        series = self.workspace.store.metric_history(self.id, name)
        return {
            "steps": series.steps.tolist(),
            "timestamps": series.timestamps.tolist(),
            "values": series.values.tolist(),
        }


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, numbers.Real) or (
        hasattr(value, "item") and isinstance(value.item(), (int, float))
    )


def _one_or_list(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values
