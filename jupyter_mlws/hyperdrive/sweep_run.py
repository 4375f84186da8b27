"""``SweepRun``: the sweep's parent run, with its trials and their ranking (v1 HyperDriveRun)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from jupyter_mlws.entities import RunRecord, RunStatus, now_ms
from jupyter_mlws.exceptions import (
    InvalidParameterError,
    ResourceConflictError,
    ResourceNotFoundError,
)
from jupyter_mlws.hyperdrive.config import (
    CONTROLLER_COMPUTE,
    GOAL_PROPERTY,
    METRIC_PROPERTY,
    SWEEP_KIND,
)
from jupyter_mlws.hyperdrive.expressions import ParameterExpression
from jupyter_mlws.hyperdrive.trials import (
    DECISION_PROPERTY,
    HYPERPARAMETERS_PROPERTY,
    dispatch,
    trial_index,
    trial_records,
)
from jupyter_mlws.tracking import Run, Workspace


@dataclass(frozen=True)
class TrialRow:
    """One line of a sweep's trial table (what every front door shows)."""

    index: int
    run_id: str
    display_name: str
    status: RunStatus
    hyperparameters: dict[str, Any]
    best: float | None  # the best primary-metric value it logged
    last: float | None
    intervals: int
    decision: str | None
    started_ms: int | None
    ended_ms: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "run_id": self.run_id,
            "display_name": self.display_name,
            "status": self.status.value,
            "hyperparameters": self.hyperparameters,
            "best_primary_metric": self.best,
            "last_primary_metric": self.last,
            "intervals": self.intervals,
            "decision": self.decision,
            "started_ms": self.started_ms,
            "ended_ms": self.ended_ms,
        }


class SweepRun(Run):
    """A run of kind ``sweep``; its children are the trials."""

    def __init__(self, workspace: Workspace, run_id: str, **kwargs: Any) -> None:
        super().__init__(workspace, run_id, **kwargs)
        if self._record.kind != SWEEP_KIND:
            # at a sweep's address, a run of another kind is a sweep that does not exist
            raise ResourceNotFoundError(
                f"run {run_id} is not a sweep (it is a {self._record.kind} run)"
            )

    @property
    def spec(self) -> dict[str, Any]:
        return dict(self._record.definition["sweep"])

    @property
    def primary_metric_name(self) -> str:
        return self._record.properties.get(METRIC_PROPERTY) or str(self.spec["primary_metric_name"])

    @property
    def maximize(self) -> bool:
        goal = self._record.properties.get(GOAL_PROPERTY) or self.spec["primary_metric_goal"]
        return goal == "MAXIMIZE"

    def spec_summary(self) -> dict[str, Any]:
        """The sweep's settings as a front door shows them (not the trial template)."""
        spec = self.spec
        return {
            "sampling": spec["sampling"]["kind"],
            "parameter_space": {
                k: str(ParameterExpression.from_dict(e))
                for k, e in spec["sampling"]["space"].items()
            },
            "policy": spec["policy"],
            "primary_metric_name": spec["primary_metric_name"],
            "primary_metric_goal": spec["primary_metric_goal"],
            "max_total_runs": spec["max_total_runs"],
            "max_concurrent_runs": spec["max_concurrent_runs"],
            "max_duration_minutes": spec["max_duration_minutes"],
            "trial_compute": spec["trial"]["compute"],
        }

    # ---- trials ------------------------------------------------------------------------
    def trial_records(self) -> list[RunRecord]:
        return trial_records(self.workspace, self.id)

    def get_children(self, recursive: bool = False) -> list[Run]:
        return [Run(self.workspace, r.id, record=r) for r in self.trial_records()]

    def trial_rows(self) -> list[TrialRow]:
        metric = self.primary_metric_name
        records = self.trial_records()
        # one query for every trial's metrics: live views ask for this on each refresh
        metrics = self.workspace.store.latest_metrics_of([r.id for r in records])
        rows = []
        for record in records:
            latest = {m.key: m for m in metrics.get(record.id, [])}.get(metric)
            best = None
            if latest is not None and latest.count:
                value = latest.max if self.maximize else latest.min
                best = None if math.isnan(value) else value
            rows.append(
                TrialRow(
                    index=trial_index(record) or 0,
                    run_id=record.id,
                    display_name=record.display_name,
                    status=record.status,
                    hyperparameters=json.loads(
                        record.properties.get(HYPERPARAMETERS_PROPERTY, "{}")
                    ),
                    best=best,
                    last=None if latest is None or math.isnan(latest.value) else latest.value,
                    intervals=latest.count if latest is not None else 0,
                    decision=record.properties.get(DECISION_PROPERTY),
                    started_ms=record.started_ms,
                    ended_ms=record.ended_ms,
                )
            )
        return rows

    def get_children_sorted_by_primary_metric(
        self, top: int = 0, reverse: bool = False, discard_no_metric: bool = False
    ) -> list[dict[str, Any]]:
        """Best first (v1): ``[{run_id, hyperparameters, best_primary_metric, status}]``."""
        rows = self.trial_rows()
        scored = [r for r in rows if r.best is not None]
        scored.sort(key=lambda r: r.best or 0.0, reverse=self.maximize != reverse)
        ordered = scored + ([] if discard_no_metric else [r for r in rows if r.best is None])
        ordered = ordered[:top] if top else ordered
        return [
            {
                "run_id": r.run_id,
                "display_name": r.display_name,
                "hyperparameters": r.hyperparameters,
                "best_primary_metric": r.best,
                "status": r.status.value,
            }
            for r in ordered
        ]

    def get_best_run_by_primary_metric(
        self, include_failed: bool = True, include_canceled: bool = True
    ) -> Run | None:
        excluded = set()
        if not include_failed:
            excluded.add(RunStatus.FAILED)
        if not include_canceled:
            excluded.add(RunStatus.CANCELED)
        rows = [r for r in self.trial_rows() if r.best is not None and r.status not in excluded]
        if not rows:
            return None
        pick = max if self.maximize else min
        best = pick(rows, key=lambda r: r.best or 0.0)
        return Run(self.workspace, best.run_id)

    def get_hyperparameters(self) -> dict[str, dict[str, Any]]:
        return {r.run_id: r.hyperparameters for r in self.trial_rows()}

    def get_metrics(self, name: str | None = None, recursive: bool = False) -> dict[str, Any]:
        """Each trial's metrics, by run id (v1's HyperDriveRun.get_metrics)."""
        return {
            r.id: Run(self.workspace, r.id, record=r).get_metrics(name)
            for r in self.trial_records()
        }

    # ---- acting ------------------------------------------------------------------------
    def cancel(self) -> None:
        """Cancel the sweep and every unfinished trial (the controller stops too)."""
        super().cancel()
        for record in self.trial_records():
            if not record.status.is_terminal:
                Run(self.workspace, record.id).cancel()
        self.refresh()

    def extend(self, max_total_runs: int) -> SweepRun:
        """Add ``max_total_runs`` trials to an ended sweep: the controller runs again and
        its sampler starts from every trial the sweep already has."""
        if (
            isinstance(max_total_runs, bool)
            or not isinstance(max_total_runs, int)
            or max_total_runs < 1
        ):
            raise InvalidParameterError(
                f"extend takes a number of trials ≥ 1, got {max_total_runs!r}"
            )
        record = self.refresh()
        if not record.status.is_terminal:
            raise ResourceConflictError(
                f"sweep {record.display_name} is {record.status.value}; extend it once it has ended"
            )
        spec = self.spec
        grid = spec["sampling"]["kind"] == "grid"
        total = len(self.trial_records()) + max_total_runs
        if grid:
            from jupyter_mlws.hyperdrive.sampling import HyperParameterSampling

            size = HyperParameterSampling.from_dict(spec["sampling"]).max_trials() or 0
            if len(self.trial_records()) >= size:
                raise ResourceConflictError(
                    f"sweep {record.display_name} has tried all {size} grid points already"
                )
        spec.update(max_total_runs=total, clock_ms=now_ms())
        definition = {**record.definition, "sweep": spec}
        if not self.workspace.store.reopen_run(self.id, definition):
            raise ResourceConflictError(f"sweep {record.display_name} is being extended already")
        dispatch(self.workspace, CONTROLLER_COMPUTE)
        self.refresh()
        return self

    def __repr__(self) -> str:
        r = self._record
        return (
            f"SweepRun(experiment={r.experiment_name!r}, number={r.number}, id={r.id!r}, "
            f"status={r.status.value!r})"
        )
