"""The controller of a pipeline run: the run's own job (``python -m
jupyter_mlws.pipeline.controller``, started by the job runner like any script).

All its state is in the database (the ``pipeline_steps`` rows and the child runs), so a
controller that dies is queued again (liveness) and the next one continues: a step
whose child run exists is followed, never started twice. Independent steps run in
parallel, up to their targets' limits.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from jupyter_mlws.config import ENV_RUN_ID, ENV_WORKSPACE
from jupyter_mlws.entities import FileEntry, RunRecord, RunStatus
from jupyter_mlws.exceptions import MlwsError
from jupyter_mlws.pipeline import graph
from jupyter_mlws.pipeline.cancel import cancel_steps
from jupyter_mlws.pipeline.reuse import components, explain, files_digest, reuse_key
from jupyter_mlws.pipeline.step_submit import STEP_PROPERTY, output_files, submit_step
from jupyter_mlws.tracking import Workspace
from jupyter_mlws.tracking.run_listing import observed

ENV_ERROR_FILE = "MLWS_ERROR_FILE"
POLL_SECONDS = 0.05
TERMINAL = {"Completed", "Failed", "Canceled"}
SUBMITTING = "Preparing"  # claimed by the controller; its child run may not exist yet
# less than the runner's grace between SIGTERM and SIGKILL (compute.process.kill_group)
CANCEL_FOLLOW_SECONDS = 2.5


class Controller:
    def __init__(self, ws: Workspace, run_id: str) -> None:
        self.ws = ws
        self.store = ws.store
        self.run_id = run_id
        self.record = self.store.get_run(run_id)
        definition = self.record.definition
        self.specs: dict[str, dict[str, Any]] = {
            s["name"]: s for s in definition["pipeline"]["steps"]
        }
        self.parameters: dict[str, Any] = definition.get("pipeline_parameters") or {}
        self.regenerate = bool(definition.get("regenerate_outputs"))
        self.rerun_rows = {r["name"]: r for r in self._rows_of(definition.get("rerun_of"))}
        self.deps = graph.upstream(list(self.specs.values()))
        self.producer = graph.producers(list(self.specs.values()))
        self.stopping = False

    def _rows_of(self, run_id: str | None) -> list[dict[str, Any]]:
        return self.store.pipeline_steps(run_id) if run_id else []

    # ---- the loop -------------------------------------------------------------------------
    def run(self) -> int:
        self.store.add_pipeline_steps(self.run_id, self.record.experiment_id, list(self.specs))
        while True:
            if self._cancel_requested():
                return self._cancel()
            if self.stopping:  # SIGTERM without a cancel: die of it, to be re-dispatched
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                os.kill(os.getpid(), signal.SIGTERM)
            rows = {r["name"]: r for r in self.store.pipeline_steps(self.run_id)}
            changed = self._follow(rows)
            changed |= self._cancel_after_failures(rows)
            changed |= self._start_ready(rows)
            if all(r["status"] in TERMINAL for r in rows.values()) and not changed:
                return self._conclude(rows)
            if not changed:
                time.sleep(POLL_SECONDS)

    def _cancel_requested(self) -> bool:
        return self.store.run_status(self.run_id) is RunStatus.CANCEL_REQUESTED

    def _cancel(self) -> int:
        """Every running step is asked to stop (its runner kills its process group),
        the rest never start; the steps' rows follow their runs to their end, for a
        while shorter than the runner's grace before it kills this controller. The
        runner ends the pipeline run Canceled (the request wins over the exit status)."""
        deadline = time.monotonic() + CANCEL_FOLLOW_SECONDS
        while time.monotonic() < deadline:
            cancel_steps(self.ws, self.run_id)  # again: a step adopted back to NotStarted
            rows = {r["name"]: r for r in self.store.pipeline_steps(self.run_id)}
            self._follow(rows)
            if all(r["status"] in TERMINAL for r in rows.values()):
                break
            time.sleep(POLL_SECONDS)
        _report({"message": "canceled by request"})
        return 1

    def _follow(self, rows: dict[str, dict[str, Any]]) -> bool:
        """Mirror each child run's status into its row; outputs' digests on completion."""
        changed = False
        for name, row in rows.items():
            if row["status"] in TERMINAL or row["status"] == "NotStarted":
                continue
            run_id = row["step_run_id"] or self._adopt(name, row)
            if run_id is None:
                continue
            child = observed(self.ws, self.store.get_run(run_id))
            status = child.status.value
            if status == row["status"]:
                continue
            fields: dict[str, Any] = {"status": status}
            if child.status is RunStatus.COMPLETED:
                fields["outputs"] = self._output_digests(run_id, self.specs[name])
            self.store.update_pipeline_step(self.run_id, name, **fields)
            row.update(fields)
            changed = True
        return changed

    def _adopt(self, name: str, row: dict[str, Any]) -> str | None:
        """A step claimed by a controller that died: its child run, if it was created;
        else the step goes back to NotStarted and is decided again."""
        records, _ = self.store.list_runs(parent_id=self.run_id, limit=10_000)
        for child in records:
            if child.properties.get(STEP_PROPERTY) == name:
                self.store.update_pipeline_step(self.run_id, name, step_run_id=child.id)
                row["step_run_id"] = child.id
                return child.id
        self.store.update_pipeline_step(self.run_id, name, status="NotStarted")
        row["status"] = "NotStarted"
        return None

    def _output_digests(self, run_id: str, spec: Mapping[str, Any]) -> dict[str, str]:
        return {o: files_digest(output_files(self.ws, run_id, o)) for o in spec["outputs"]}

    def _cancel_after_failures(self, rows: dict[str, dict[str, Any]]) -> bool:
        """Steps reading what a failed or canceled step should have written never start."""
        changed = False
        for name, row in rows.items():
            if row["status"] not in ("Failed", "Canceled"):
                continue
            for later in sorted(graph.downstream(self.deps, name)):
                if rows[later]["status"] == "NotStarted":
                    reason = f"not run: step {name!r} {row['status'].lower()}"
                    if self.store.update_pipeline_step(
                        self.run_id,
                        later,
                        only_from=["NotStarted"],
                        status="Canceled",
                        reason=reason,
                    ):
                        rows[later].update(status="Canceled", reason=reason)
                        changed = True
        return changed

    # ---- deciding a step: reuse it or run it -----------------------------------------------
    def _start_ready(self, rows: dict[str, dict[str, Any]]) -> bool:
        changed = False
        for name, spec in self.specs.items():
            row = rows[name]
            if row["status"] != "NotStarted":
                continue
            if any(rows[d]["status"] != "Completed" for d in self.deps[name]):
                continue
            self._decide(spec, row, rows)
            changed = True
        return changed

    def _decide(
        self, spec: dict[str, Any], row: dict[str, Any], rows: dict[str, dict[str, Any]]
    ) -> None:
        name = spec["name"]
        inputs: dict[str, list[FileEntry]] = {}
        ran_upstream: dict[str, str] = {}
        for input_name in spec["inputs"]:
            producer = rows[self.producer[input_name]]
            source = producer["reused_from"] or producer["step_run_id"]
            inputs[input_name] = output_files(self.ws, source, input_name)
            if not producer["reused_from"]:
                ran_upstream[input_name] = producer["name"]
        digests = {n: files_digest(files) for n, files in inputs.items()}
        parts = components(spec, self.parameters, digests)
        key = reuse_key(parts)
        found = self._reusable(name, key, spec)
        if found is not None:
            origin, how = found
            reason = f"reused (from run {origin}){how}"
            self.store.update_pipeline_step(
                self.run_id,
                name,
                only_from=["NotStarted"],
                status="Completed",
                reused_from=origin,
                reuse_key=key,
                components=parts,
                reason=reason,
                outputs=self._output_digests(origin, spec),
            )
            row.update(status="Completed", reused_from=origin, reason=reason)
            return
        if not spec["allow_reuse"]:
            why = "allow_reuse=False"
        elif self.regenerate:
            why = "regenerate_outputs=True"
        else:
            before = self.store.previous_step(self.record.experiment_id, name, self.run_id)
            why = explain(self.ws.blobs, parts, before, ran_upstream)
        reason = f"ran, because {why}"
        if not self.store.update_pipeline_step(
            self.run_id,
            name,
            only_from=["NotStarted"],
            status=SUBMITTING,
            reuse_key=key,
            components=parts,
            reason=reason,
        ):
            return
        try:
            run_id = submit_step(self.ws, self.record, spec, self.parameters, inputs)
        except MlwsError as exc:  # e.g. its compute target was deleted since submission
            failed = f"could not start: {exc.message}"
            self.store.update_pipeline_step(self.run_id, name, status="Failed", reason=failed)
            row.update(status="Failed", reason=failed)
            return
        self.store.update_pipeline_step(self.run_id, name, step_run_id=run_id, status="Queued")
        row.update(status="Queued", step_run_id=run_id, reason=reason)

    def _reusable(self, name: str, key: str, spec: Mapping[str, Any]) -> tuple[str, str] | None:
        """(run whose outputs to reuse, note) or None to run the step."""
        earlier = self.rerun_rows.get(name)
        if earlier and earlier["status"] == "Completed":  # "from failed": whatever completed
            origin = earlier["reused_from"] or earlier["step_run_id"]
            return origin, ", completed in the run being re-run"
        if not spec["allow_reuse"] or self.regenerate:
            return None
        found = self.store.find_reusable_step(key)
        if found is None:
            return None
        return found["reused_from"] or found["step_run_id"], ""

    # ---- the end ---------------------------------------------------------------------
    def _conclude(self, rows: dict[str, dict[str, Any]]) -> int:
        failed = [r for r in rows.values() if r["status"] == "Failed"]
        if not failed and all(r["status"] == "Completed" for r in rows.values()):
            return 0
        if failed:
            first = failed[0]
            if first["step_run_id"]:
                message = _child_error(self.store.get_run(first["step_run_id"]))
            else:
                message = str(first["reason"])
            text = f"step {first['name']!r} failed: {message}"
            error = {"message": text, "failed_steps": [r["name"] for r in failed]}
        else:
            error = {
                "message": "canceled steps: "
                + ", ".join(r["name"] for r in rows.values() if r["status"] == "Canceled")
            }
        _report(error)
        return 1


def _child_error(child: RunRecord) -> str:
    return str((child.error or {}).get("message") or child.status.value)


def _report(error: Mapping[str, Any]) -> None:
    path = os.environ.get(ENV_ERROR_FILE)
    if path:
        Path(path).write_text(json.dumps(dict(error)), encoding="utf-8")
    print(f"[mlws] {error['message']}", file=sys.stderr)


def main() -> int:
    ws = Workspace.open(Path(os.environ[ENV_WORKSPACE]))
    controller = Controller(ws, os.environ[ENV_RUN_ID])

    def stop(_signum: int, _frame: FrameType | None) -> None:
        controller.stopping = True  # the loop looks at why (a cancel, or not) and acts

    signal.signal(signal.SIGTERM, stop)
    return controller.run()


if __name__ == "__main__":
    sys.exit(main())
