"""``PipelineRun``: a run whose children are its steps, with each step's reuse story."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any, TextIO

from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import ResourceNotFoundError, RunFailedError
from jupyter_mlws.pipeline.cancel import cancel_pipeline
from jupyter_mlws.tracking.run import Run


@dataclass
class StepRun:
    """One step of a pipeline run: its status, the run that did its work (for a reused
    step, the earlier run whose outputs it took) and why it ran or was reused."""

    name: str
    status: str
    run: Run | None
    reused_from: str | None
    reason: str | None
    inputs: list[str]
    outputs: list[str]
    depends_on: list[str]

    @property
    def reused(self) -> bool:
        return self.reused_from is not None

    @property
    def id(self) -> str | None:
        return self.run.id if self.run else None

    def get_status(self) -> str:
        return self.status

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "run_id": self.id,
            "reused": self.reused,
            "reused_from": self.reused_from,
            "reason": self.reason,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "depends_on": self.depends_on,
        }

    def __getattr__(self, attr: str) -> Any:
        # get_logs, get_metrics, download_file, ...: the step's run answers them
        run = self.__dict__.get("run")
        if run is None:
            raise AttributeError(f"step {self.__dict__.get('name')!r} has no run ({attr})")
        return getattr(run, attr)


class PipelineRun(Run):
    def get_steps(self) -> list[StepRun]:
        """Every step in the pipeline's order (also those that did not start)."""
        steps = self.record.definition.get("pipeline", {}).get("steps", [])
        rows = {r["name"]: r for r in self.workspace.store.pipeline_steps(self.id)}
        producers = {o: s["name"] for s in steps for o in s["outputs"]}
        return [self._step(spec, rows.get(spec["name"]), producers) for spec in steps]

    def _step(
        self, spec: dict[str, Any], row: dict[str, Any] | None, producers: dict[str, str]
    ) -> StepRun:
        row = row or {"status": "NotStarted", "step_run_id": None, "reused_from": None}
        run_id = row.get("step_run_id") or row.get("reused_from")
        run = Run(self.workspace, run_id) if run_id else None
        status = row["status"]
        if row.get("step_run_id") and run is not None:
            status = run.refresh().status.value  # live, also after the controller ended
        elif status == "Preparing":
            status = "Queued"
        return StepRun(
            name=spec["name"],
            status=status,
            run=run,
            reused_from=row.get("reused_from"),
            reason=row.get("reason"),
            inputs=list(spec["inputs"]),
            outputs=list(spec["outputs"]),
            depends_on=sorted({producers[i] for i in spec["inputs"] if i in producers}),
        )

    def find_step_run(self, name: str) -> StepRun:
        for step in self.get_steps():
            if step.name == name:
                return step
        raise ResourceNotFoundError(f"pipeline run {self.id} has no step {name!r}")

    def cancel(self) -> None:
        cancel_pipeline(self.workspace, self.id)
        self.refresh()

    def wait_for_completion(
        self,
        show_output: bool = False,
        timeout: float | None = None,
        raise_on_error: bool = True,
        poll: float = 0.1,
        out: TextIO | None = None,
    ) -> dict[str, Any]:
        """Block until the pipeline ends; ``show_output`` prints each step's changes."""
        stream = out or sys.stdout
        deadline = None if timeout is None else time.monotonic() + timeout
        shown: dict[str, str] = {}
        while True:
            record = self.refresh()
            if show_output:
                self._print_changes(shown, stream)
            if record.status.is_terminal:
                if show_output:
                    self._print_changes(shown, stream)
                break
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"run {self.id} still {record.status.value} after {timeout}s")
            time.sleep(poll)
        if raise_on_error and record.status is not RunStatus.COMPLETED:
            raise RunFailedError(self.id, record.status.value, (record.error or {}).get("message"))
        return self.get_details()

    def _print_changes(self, shown: dict[str, str], stream: TextIO) -> None:
        for step in self.get_steps():
            line = f"[{step.name}] {step.status}"
            if step.reason and step.status not in ("NotStarted",):
                line += f" — {step.reason}"
            if shown.get(step.name) != line:
                shown[step.name] = line
                stream.write(line + "\n")
        stream.flush()
