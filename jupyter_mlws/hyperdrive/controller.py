"""The sweep controller: the sweep run's own job (``python -m jupyter_mlws.hyperdrive.controller``).

It holds no state of its own. Each turn it reads the sweep's trials from the
database, applies the policy to running trials, and creates trials (sampled from a
study re-fed with every stored trial) until ``max_total_runs`` exist, keeping at most
``max_concurrent_runs`` unfinished. A controller killed at any point is started
again by the job runner (the run's ``REDISPATCH_WHEN_LOST`` flag) and continues from
what the database holds: a trial is one row written in one transaction, so it either
exists (and is counted) or does not (and is made again).
"""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jupyter_mlws.config import ENV_RUN_ID, ENV_WORKSPACE
from jupyter_mlws.entities import RunRecord, RunStatus, now_ms
from jupyter_mlws.exceptions import ResourceNotFoundError
from jupyter_mlws.hyperdrive.policies import EarlyTerminationPolicy
from jupyter_mlws.hyperdrive.sampling import HyperParameterSampling, PastTrial, ask
from jupyter_mlws.hyperdrive.trials import (
    DECISION_PROPERTY,
    GRID_PROPERTY,
    INTERNAL_PROPERTY,
    TrialTemplate,
    create_trial,
    dispatch,
    trial_records,
)
from jupyter_mlws.tracking import Run, Workspace

POLL_S = 0.2
STOPPED_PROPERTY = "mlws.sweep.stopped"
ENV_ERROR_FILE = "MLWS_ERROR_FILE"  # as compute.job: the runner merges it into the error


class Controller:
    def __init__(self, ws: Workspace, sweep_id: str) -> None:
        self.ws = ws
        self.sweep_id = sweep_id
        record = ws.store.get_run(sweep_id)
        self.record = record
        spec: dict[str, Any] = record.definition["sweep"]
        self.sampling = HyperParameterSampling.from_dict(spec["sampling"])
        self.policy = EarlyTerminationPolicy.from_dict(spec["policy"])
        self.template = TrialTemplate.from_dict(spec["trial"])
        self.seed = int(spec["seed"])
        self.metric = str(spec["primary_metric_name"])
        self.maximize = spec["primary_metric_goal"] == "MAXIMIZE"
        grid = self.sampling.max_trials()
        self.limit = min(int(spec["max_total_runs"]), grid) if grid else int(spec["max_total_runs"])
        self.max_concurrent = int(spec["max_concurrent_runs"])
        self.deadline_ms = int(spec.get("clock_ms") or record.created_ms) + int(
            float(spec["max_duration_minutes"]) * 60_000
        )
        self._final: dict[str, list[float]] = {}  # ended trials' metric values never change
        self._evaluated: dict[str, int] = {}  # the last interval the policy looked at

    # ---- one turn ------------------------------------------------------------------
    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_sigterm)
        try:
            return self._loop()
        except Exception:  # a failing controller must not leave trials running unwatched
            self.cancel_trials()
            raise

    def _loop(self) -> int:
        while True:
            sweep = self.ws.store.get_run(self.sweep_id)
            if sweep.status is RunStatus.CANCEL_REQUESTED:
                self.cancel_trials()
                return 0
            trials = trial_records(self.ws, self.sweep_id)
            series = self.series(trials)
            missing = self.missing_metric(trials, series)
            if missing:
                self.cancel_trials()
                return self.fail(missing)
            self.apply_policy(trials, series)
            if now_ms() > self.deadline_ms:
                self.cancel_trials()
                self.stop("max_duration_minutes reached")
                return 0
            active = [t for t in trials if not t.status.is_terminal]
            started = False
            while len(trials) < self.limit and len(active) < self.max_concurrent:
                trial = self.new_trial(len(trials), trials, series)
                trials.append(trial)
                active.append(trial)
                started = True
            if started or any(t.status is RunStatus.QUEUED for t in active):
                dispatch(self.ws, self.template.compute)
            if len(trials) >= self.limit and not active:
                failed = self.all_failed(trials)
                if failed:
                    return self.fail(failed, code="all_trials_failed")
                self.report(trials, series)
                return 0
            time.sleep(POLL_S)

    def series(self, trials: Sequence[RunRecord]) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for trial in trials:
            if trial.id in self._final:
                out[trial.id] = self._final[trial.id]
                continue
            if trial.status is RunStatus.QUEUED:
                out[trial.id] = []
                continue
            try:
                history = self.ws.store.metric_history(trial.id, self.metric).values.tolist()
            except ResourceNotFoundError:  # nothing logged under that name (yet)
                history = []
            values = [float(v) for v in history if not math.isnan(v)]
            out[trial.id] = values
            if trial.status.is_terminal:
                self._final[trial.id] = values
        return out

    def missing_metric(
        self, trials: Sequence[RunRecord], series: dict[str, list[float]]
    ) -> str | None:
        completed = [t for t in trials if t.status is RunStatus.COMPLETED]
        if not completed or any(series.get(t.id) for t in trials):
            return None
        first = completed[0]
        logged = ", ".join(sorted(self.ws.store.metric_keys(first.id))) or "nothing"
        return (
            f"primary metric {self.metric!r} is not logged: trial {first.display_name} "
            f"completed without it (it logged {logged}); log it with run.log({self.metric!r}, …)"
        )

    def all_failed(self, trials: Sequence[RunRecord]) -> str | None:
        """A sweep whose every trial failed found nothing: it fails, saying why."""
        if not trials or any(t.status is not RunStatus.FAILED for t in trials):
            return None
        reason = ((trials[0].error or {}).get("message") or "no message").splitlines()[0]
        return f"all {len(trials)} trials failed; the first: {reason}"

    def apply_policy(self, trials: Sequence[RunRecord], series: dict[str, list[float]]) -> None:
        names = {t.id: t.display_name for t in trials}
        for trial in trials:
            if trial.status is not RunStatus.RUNNING:
                continue
            values = series[trial.id]
            others = {names[i]: v for i, v in series.items() if i != trial.id}
            start = self._evaluated.get(trial.id, 0) + 1
            for interval in range(start, len(values) + 1):
                self._evaluated[trial.id] = interval
                if not self.policy.due(interval):
                    continue
                decision = self.policy.decide(self.metric, interval, values, others, self.maximize)
                if decision:
                    self.ws.store.set_properties(trial.id, {DECISION_PROPERTY: decision})
                    Run(self.ws, trial.id).cancel()
                    print(f"[sweep] {trial.display_name} {decision}", flush=True)
                    break

    def new_trial(
        self, index: int, trials: Sequence[RunRecord], series: dict[str, list[float]]
    ) -> RunRecord:
        past = [self.past(t, series.get(t.id, [])) for t in trials]
        internal, grid_id = ask(
            self.sampling,
            [p for p in past if p is not None],
            maximize=self.maximize,
            index=index,
            base_seed=self.seed,
        )
        space = self.sampling.parameter_space
        values = {name: space[name].value(internal[name]) for name in space}
        trial = create_trial(self.ws, self.record, self.template, index, values, internal, grid_id)
        print(f"[sweep] {trial.display_name}: {json.dumps(values)}", flush=True)
        return trial

    def past(self, trial: RunRecord, values: list[float]) -> PastTrial | None:
        try:
            internal = json.loads(trial.properties[INTERNAL_PROPERTY])
        except (KeyError, ValueError):
            return None
        grid = trial.properties.get(GRID_PROPERTY)
        pick = max if self.maximize else min
        status = trial.status
        if not status.is_terminal:
            state, value = "running", None
        elif status is RunStatus.COMPLETED and values:
            state, value = "complete", pick(values)
        elif status is RunStatus.CANCELED and values:
            state, value = "pruned", None
        else:
            state, value = "failed", None
        return PastTrial(
            internal=internal,
            state=state,
            value=value,
            intermediate={i: v for i, v in enumerate(values)},
            grid_id=int(grid) if grid is not None else None,
        )

    # ---- ending --------------------------------------------------------------------
    def cancel_trials(self) -> None:
        for trial in trial_records(self.ws, self.sweep_id):
            if not trial.status.is_terminal:
                Run(self.ws, trial.id).cancel()

    def stop(self, reason: str) -> None:
        self.ws.store.set_properties(self.sweep_id, {STOPPED_PROPERTY: reason})
        print(f"[sweep] stopped: {reason}", flush=True)

    def fail(self, message: str, code: str = "primary_metric_missing") -> int:
        print(f"[sweep] {message}", file=sys.stderr, flush=True)
        error_file = os.environ.get(ENV_ERROR_FILE)
        if error_file:
            Path(error_file).write_text(
                json.dumps({"message": message, "code": code}),
                encoding="utf-8",
            )
        return 1

    def report(self, trials: Sequence[RunRecord], series: dict[str, list[float]]) -> None:
        scored = [(t, series[t.id]) for t in trials if series.get(t.id)]
        if scored:
            pick = max if self.maximize else min
            best, values = pick(scored, key=lambda tv: pick(tv[1]))
            print(f"[sweep] best: {best.display_name} {self.metric}={pick(values):.6g}", flush=True)
        print(f"[sweep] done: {len(trials)} trials", flush=True)

    def _on_sigterm(self, signum: int, frame: Any) -> None:
        """Stopped by the runner: a cancel request stops the trials too; then die by the
        signal (so the runner can tell a kill from a failure)."""
        try:
            if self.ws.store.get_run(self.sweep_id).status is RunStatus.CANCEL_REQUESTED:
                self.cancel_trials()
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)


def main() -> int:
    ws = Workspace.open(Path(os.environ[ENV_WORKSPACE]))
    return Controller(ws, os.environ[ENV_RUN_ID]).run()


if __name__ == "__main__":
    sys.exit(main())
