"""``azureml.core.Run``: the native run with v1's signatures, details and file views.

Logs appear among the run's files as v1's runtime names them (``user_logs/…``), and
``azureml-logs/70_driver_log.txt`` (the older runtime's name) still downloads.
"""

from __future__ import annotations

import builtins
import getpass
import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.azureml.core import run_charts
from jupyter_mlws.azureml.exceptions import ActivityFailedException, UserErrorException
from jupyter_mlws.entities import RunRecord
from jupyter_mlws.exceptions import ResourceNotFoundError, RunFailedError
from jupyter_mlws.services import runs
from jupyter_mlws.tracking.run import LOG_NAME
from jupyter_mlws.tracking.run import Run as NativeRun
from jupyter_mlws.tracking.workspace import Workspace as TrackingWorkspace

if TYPE_CHECKING:
    from jupyter_mlws.azureml.core.experiment import Experiment
    from jupyter_mlws.azureml.core.model import Model
    from jupyter_mlws.azureml.core.workspace import Workspace

LOG_PREFIX = "user_logs/"
# The run definition key of a v1 environment as submitted (recorded, not built).
V1_ENVIRONMENT = "azureml_environment"
LEGACY_DRIVER_LOG = "azureml-logs/70_driver_log.txt"


class Run(NativeRun):
    """``Run(experiment, run_id)``; ``Run.get_context()`` inside a script."""

    workspace: Workspace

    def __init__(
        self,
        experiment: Experiment | TrackingWorkspace,
        run_id: str,
        outputs: Any = None,
        *,
        record: RunRecord | None = None,
        owned: bool = False,
        **kwargs: Any,
    ) -> None:
        workspace = (
            experiment if isinstance(experiment, TrackingWorkspace) else experiment.workspace
        )
        super().__init__(v1_workspace(workspace), run_id, record=record, owned=owned)

    @classmethod
    def _wrap(cls, native: NativeRun) -> Run:
        if isinstance(native, Run):
            return native
        run = cls(native.workspace, native.id, record=native.record)
        run._owned = native._owned
        return run

    @classmethod
    def get_context(cls, allow_offline: bool = True, **kwargs: Any) -> Run:
        """The submitted run in a job; elsewhere a stored interactive run (v1's offline
        run kept nothing)."""
        return cls._wrap(NativeRun.get_context())

    @classmethod
    def get(cls, workspace: TrackingWorkspace, run_id: str) -> Run:
        return cls(workspace, runs.resolve_run_id(workspace, run_id))

    @staticmethod
    def list(
        experiment: Experiment,
        type: str | None = None,
        tags: str | Mapping[str, Any] | None = None,
        properties: str | Mapping[str, Any] | None = None,
        status: str | None = None,
        include_children: bool = False,
        _rehydrate_runs: bool = True,
    ) -> Iterator[Run]:
        for run in experiment.get_runs(type, tags, properties, include_children):
            if status is None or run.record.status.value == status:
                yield run

    # ---- identity ------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.record.display_name

    @display_name.setter
    def display_name(self, value: str) -> None:
        self._record = runs.rename_run(self.workspace, self.id, str(value))

    @property
    def type(self) -> str:
        return v1_type(self.record.kind)

    @property
    def parent(self) -> Run | None:
        parent = super().parent
        return Run._wrap(parent) if parent is not None else None

    def get_portal_url(self) -> str:
        return f"mlws run show {self.id}"

    def tag(self, key: str, value: Any = None) -> None:
        super().tag(key, "" if value is None else value)

    # ---- logging -------------------------------------------------------------------------
    def log_list(self, name: str, value: Sequence[Any], description: str = "") -> None:
        super().log_list(name, value, description)

    def log_row(self, name: str, description: str | None = None, **kwargs: Any) -> None:
        super().log_row(name, **kwargs)

    def log_confusion_matrix(self, name: str, value: Any, description: str = "") -> None:
        self._log_chart(name, value, "confusion_matrix")

    def log_accuracy_table(self, name: str, value: Any, description: str = "") -> None:
        self._log_chart(name, value, "accuracy_table")

    def log_residuals(self, name: str, value: Any, description: str = "") -> None:
        self._log_chart(name, value, "residuals")

    def log_predictions(self, name: str, value: Any, description: str = "") -> None:
        self._log_chart(name, value, "predictions")

    def _log_chart(self, name: str, value: Any, schema_type: str) -> None:
        payload = run_charts.validate(name, value, schema_type)
        runs.log_document(self.workspace, self.id, name, schema_type, payload)

    def get_metrics(
        self,
        name: str | None = None,
        recursive: bool = False,
        run_type: str | None = None,
        populate: bool = False,
    ) -> dict[str, Any]:
        """This run's metrics; with ``recursive``, ``{run_id: metrics}`` for it and every
        descendant, as v1 returns them."""
        if not recursive:
            return super().get_metrics(name)
        runs = [self, *self.get_children(recursive=True)]
        return {
            run.id: run.get_metrics(name)
            for run in runs
            if run_type is None or run.type == run_type
        }

    # ---- data ------------------------------------------------------------------------------
    @property
    def input_datasets(self) -> dict[str, Any]:
        """v1's view: a *direct* input is the dataset itself, a mount or download its path."""
        from jupyter_mlws.azureml.data.abstract_dataset import input_datasets

        return input_datasets(self)

    # ---- details ---------------------------------------------------------------------------
    def get_details(self) -> dict[str, Any]:
        record = self.refresh()
        definition = record.definition
        details: dict[str, Any] = {
            "runId": record.id,
            "target": record.compute,
            "status": record.status.value,
            "startTimeUtc": _utc(record.started_ms),
            "endTimeUtc": _utc(record.ended_ms),
            "properties": dict(record.properties),
            "inputDatasets": run_inputs(self),
            "outputDatasets": run_outputs(self),
            "runDefinition": {
                "script": definition.get("script"),
                "command": definition.get("command") or "",
                "arguments": list(definition.get("arguments", [])),
                "target": record.compute,
                "environment": definition.get(V1_ENVIRONMENT) or {},
                "environmentVariables": dict(definition.get("env", {})),
                "maxRunDurationSeconds": definition.get("max_duration_s"),
                "nodeCount": 1,
                "sourceDirectory": definition.get("source_dir"),
            },
            "logFiles": {f"{LOG_PREFIX}{n}": "" for n in runs.log_names(self.workspace, self.id)},
            "submittedBy": record.properties.get("mlws.submitted_by") or getpass.getuser(),
            "displayName": record.display_name,
            "tags": dict(record.tags),
        }
        if record.error:
            details["error"] = {"error": {"message": record.error.get("message", "")}}
        if details["endTimeUtc"] is None:
            del details["endTimeUtc"]
        return details

    def get_details_with_logs(self) -> dict[str, Any]:
        details = self.get_details()
        details["logFiles"] = {
            f"{LOG_PREFIX}{n}": self.get_logs(n) for n in runs.log_names(self.workspace, self.id)
        }
        return details

    def get_detailed_status(self) -> dict[str, Any]:
        return {"status": self.get_status(), "details": None}

    # ---- files and logs ---------------------------------------------------------------------
    def get_file_names(self, prefix: str = "") -> builtins.list[str]:
        logs = [f"{LOG_PREFIX}{n}" for n in runs.log_names(self.workspace, self.id)]
        names = super().get_file_names() + logs
        return sorted(n for n in names if n.startswith(prefix))

    def download_file(
        self,
        name: str,
        output_file_path: str | os.PathLike[str] | None = None,
        _validate_checksum: bool = False,
    ) -> Path:
        log = self._log_name(name)
        if log is None:
            return super().download_file(name, output_file_path)
        dest = Path(output_file_path) if output_file_path else Path(Path(name).name)
        if dest.is_dir():
            dest = dest / Path(name).name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(self.get_logs(log), encoding="utf-8")
        return dest

    def download_files(
        self,
        prefix: str | None = None,
        output_directory: str | os.PathLike[str] | None = None,
        output_paths: Sequence[str] | None = None,
        batch_size: int = 100,
        append_prefix: bool = True,
        timeout_seconds: int | None = None,
    ) -> builtins.list[Path]:
        out = Path(output_directory or ".")
        paths = []
        for name in self.get_file_names(prefix or ""):
            relative = name if append_prefix or not prefix else name[len(prefix) :].lstrip("/")
            paths.append(self.download_file(name, out / relative))
        return paths

    def get_all_logs(self, destination: str | os.PathLike[str] | None = None) -> builtins.list[str]:
        """Every log of the run, written under ``destination`` (default ./logs/<run id>)."""
        folder = Path(destination) if destination else Path("logs") / self.id
        return [
            str(self.download_file(name, folder / name)) for name in self.get_file_names(LOG_PREFIX)
        ]

    def _log_name(self, name: str) -> str | None:
        if name == LEGACY_DRIVER_LOG:
            return LOG_NAME
        if name.startswith(LOG_PREFIX):
            log = name[len(LOG_PREFIX) :]
            if log in runs.log_names(self.workspace, self.id):
                return log
            raise ResourceNotFoundError(f"run {self.id} has no log {name!r}")
        return None

    def restore_snapshot(
        self, snapshot_id: str | None = None, path: str | os.PathLike[str] | None = None
    ) -> str:
        """The run's source snapshot as a zip file (v1 returns its path)."""
        snapshot = snapshot_id or self.record.snapshot_id
        if not snapshot:
            raise UserErrorException(f"run {self.id} has no snapshot (it ran interactively)")
        target = Path(path) if path else Path.cwd() / f"{snapshot}.zip"
        if target.is_dir():
            target = target / f"{snapshot}.zip"
        runs.snapshot_zip(self.workspace, self.id, target, snapshot)
        return str(target)

    # ---- children --------------------------------------------------------------------------
    def child_run(  # type: ignore[override]
        self, name: str | None = None, run_id: str | None = None, outputs: Any = None
    ) -> Run:
        return Run._wrap(super().child_run(name))

    def create_children(
        self,
        count: int | None = None,
        tag_key: str | None = None,
        tag_values: Sequence[str] | None = None,
    ) -> builtins.list[Run]:
        """``count`` children at once, or one per value of ``tag_values`` tagged ``tag_key``."""
        if tag_values is not None:
            if tag_key is None:
                raise UserErrorException("create_children(tag_values=…) needs tag_key=")
            values: builtins.list[str | None] = [str(v) for v in tag_values]
        elif count is not None and count >= 1:
            values = [None] * int(count)
        else:
            raise UserErrorException("create_children needs count >= 1 or tag_values")
        children = []
        for value in values:
            tags = {tag_key: value} if tag_key is not None and value is not None else None
            children.append(Run._wrap(NativeRun.child_run(self, tags=tags)))
        return children

    def get_children(  # type: ignore[override]
        self,
        recursive: bool = False,
        tags: str | Mapping[str, Any] | None = None,
        properties: str | Mapping[str, Any] | None = None,
        type: str | None = None,
        status: str | None = None,
        _rehydrate_runs: bool = True,
    ) -> builtins.list[Run]:
        children = [Run._wrap(c) for c in super().get_children(recursive=recursive)]
        return [
            c
            for c in children
            if matches(c.record.tags, tags)
            and matches(c.record.properties, properties)
            and (type is None or c.type == type)
            and (status is None or c.record.status.value == status)
        ]

    def submit_child(self, config: Any, tags: Mapping[str, Any] | None = None, **kw: Any) -> Run:
        return Run._wrap(config.submit_to(self.experiment, tags=tags, parent_id=self.id, **kw))

    # ---- waiting and models -----------------------------------------------------------------
    def wait_for_completion(  # type: ignore[override]
        self,
        show_output: bool = False,
        wait_post_processing: bool = False,
        raise_on_error: bool = True,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Block until the run ends (outputs are collected before a run ends here, so
        ``wait_post_processing`` is always honoured)."""
        try:
            super().wait_for_completion(show_output=show_output, raise_on_error=raise_on_error)
        except RunFailedError as exc:
            raise ActivityFailedException(exc.run_id, exc.status, exc.error) from None
        return self.get_details()

    def register_model(  # type: ignore[override]
        self,
        model_name: str,
        model_path: str | None = None,
        tags: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        model_framework: str | None = None,
        model_framework_version: str | None = None,
        description: str | None = None,
        datasets: Any = None,
        sample_input_dataset: Any = None,
        sample_output_dataset: Any = None,
        resource_configuration: Any = None,
        **kwargs: Any,
    ) -> Model:
        from jupyter_mlws.azureml.core.model import Model, dataset_names

        if model_path is None:
            raise UserErrorException("register_model needs model_path= (a file of this run)")
        version = super().register_model(
            model_name,
            model_path,
            tags=tags,
            properties=properties,
            description=description,
            model_framework=model_framework,
            model_framework_version=model_framework_version,
            datasets=dataset_names(datasets, sample_input_dataset, sample_output_dataset),
        )
        return Model._of(self.workspace, version)

    def get_environment(self) -> Any:
        from jupyter_mlws.azureml.core.environment import Environment

        spec = self.record.definition.get(V1_ENVIRONMENT) or {}
        return Environment(spec.get("name") or "inherit")

    def __repr__(self) -> str:
        r = self.record
        return (
            f"Run(Experiment: {r.experiment_name}, Id: {r.id}, Type: {r.kind}, "
            f"Status: {r.status.value})"
        )


def run_inputs(run: Run) -> builtins.list[dict[str, Any]]:
    from jupyter_mlws.azureml.data.abstract_dataset import iter_run_datasets

    modes = {b.get("name"): b.get("mode") for b in run.record.definition.get("data") or []}
    return [
        {
            "dataset": ds,
            "consumptionDetails": {
                "type": "RunInput",
                "inputName": link.name,
                "mechanism": str(modes.get(link.name) or "direct").capitalize(),
            },
        }
        for link, ds in iter_run_datasets(run.workspace, run.id, "input")
    ]


def run_outputs(run: Run) -> builtins.list[dict[str, Any]]:
    from jupyter_mlws.azureml.data.abstract_dataset import iter_run_datasets

    return [
        {
            "dataset": ds,
            "outputType": "RunOutput",
            "outputDetails": {"outputName": link.name},
        }
        for link, ds in iter_run_datasets(run.workspace, run.id, "output")
    ]


def v1_workspace(workspace: TrackingWorkspace) -> Workspace:
    from jupyter_mlws.azureml.core.workspace import Workspace

    if isinstance(workspace, Workspace):
        return workspace
    return Workspace.open(workspace.root)


V1_TYPES = {"script": "azureml.scriptrun", "child": "azureml.scriptrun"}


def v1_type(kind: str) -> str:
    return V1_TYPES.get(kind, kind)


def matches(values: Mapping[str, str], wanted: str | Mapping[str, Any] | None) -> bool:
    """v1 filters: a key that must be present, or key→value (None: any value)."""
    if wanted is None:
        return True
    if isinstance(wanted, str):
        return wanted in values
    return all(k in values and (v is None or values[k] == str(v)) for k, v in dict(wanted).items())


def _utc(ms: int | None) -> str | None:
    if ms is None:
        return None
    stamp = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
