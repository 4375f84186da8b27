"""Trials: ordinary child runs of the sweep, made from one template.

The sweep's run config is turned into a template once, at submission (its
``submission()``: the same definition a plain submit would store), and every trial
is that definition with its sampled values applied: ``--name`` keys appended to a
script's arguments, plain names merged into a notebook's parameters (Azure ML v1's
meaning). Trials share the sweep's snapshot, so all of them run the same code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jupyter_mlws.compute.run_environment import PROPERTY as ENV_PROPERTY
from jupyter_mlws.compute.run_environment import definition_entry
from jupyter_mlws.compute.targets import get_target
from jupyter_mlws.entities import RunRecord, RunStatus
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.tracking import Workspace, run_listing

TRIAL_PROPERTY = "mlws.sweep.trial"  # the trial's index in its sweep (0, 1, …)
INTERNAL_PROPERTY = "mlws.sweep.internal"  # the sampler's values (JSON), for warm starts
GRID_PROPERTY = "mlws.sweep.grid_id"
DECISION_PROPERTY = "mlws.sweep.decision"  # why the policy canceled it
HYPERPARAMETERS_PROPERTY = "mlws.sweep.hyperparameters"  # {key as given: value} (JSON)
CELL_TRIAL_MODULE = "jupyter_mlws.hyperdrive.cell_trial"


def arg_param_name(key: str) -> str:
    """The run param recording a script argument: ``--lr`` → ``lr``."""
    return key.lstrip("-")


@dataclass
class TrialTemplate:
    kind: str
    compute: str
    definition: dict[str, Any]
    params: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_submission(cls, submission: Mapping[str, Any]) -> TrialTemplate:
        definition = {**submission["definition"], "source_dir": str(submission["source_dir"])}
        properties = dict(submission.get("properties") or {})
        environment = submission.get("environment")
        if environment is not None:
            definition["environment"] = definition_entry(environment)
            properties[ENV_PROPERTY] = environment.ref
        return cls(
            kind=str(submission["kind"]),
            compute=str(submission["compute"]),
            definition=definition,
            params=dict(submission.get("params") or {}),
            properties=properties,
        )

    def check_keys(self, keys: list[str]) -> None:
        """``--name`` keys are script arguments, plain names notebook (or cell) parameters."""
        if self.kind not in ("script", "notebook", "cell"):
            raise InvalidParameterError(f"a sweep cannot run {self.kind} runs as trials")
        if self.kind == "script":
            plain = [k for k in keys if not k.startswith("-")]
            if plain:
                raise InvalidParameterError(
                    "a script sweep's parameters are script arguments such as '--lr'; "
                    f"not {', '.join(repr(k) for k in plain)}"
                )
            return
        dashed = [k for k in keys if k.startswith("-") or not k.isidentifier()]
        if dashed:
            raise InvalidParameterError(
                f"a {self.kind} sweep's parameters are {self.kind} parameters (identifiers "
                f"such as 'lr'); not {', '.join(repr(k) for k in dashed)}"
            )
        if self.kind == "cell" and not str(self.definition["script"]).endswith(".py"):
            raise InvalidParameterError(
                "a swept cell must be plain Python: its trials cannot run magics or ! lines"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "compute": self.compute,
            "definition": self.definition,
            "params": self.params,
            "properties": self.properties,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrialTemplate:
        return cls(
            **{k: data[k] for k in ("kind", "compute", "definition", "params", "properties")}
        )

    def apply(self, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The definition and params of the trial that receives ``values``."""
        definition = json.loads(json.dumps(self.definition))
        if self.kind == "script":
            extra = [str(x) for key, value in values.items() for x in (key, value)]
            definition["argv"] = [*definition["argv"], *extra]
            definition["arguments"] = [*definition.get("arguments", []), *extra]
            params = {**self.params, **{arg_param_name(k): v for k, v in values.items()}}
            return definition, params
        if self.kind == "notebook":
            parameters = {**definition.get("parameters", {}), **values}
            argv = definition["argv"]
            argv[argv.index("--parameters") + 1] = json.dumps(parameters)
            definition["parameters"] = parameters
            return definition, {**self.params, **values}
        # a cell: the same script, its params given as JSON (runpy sets them as globals)
        script = definition["script"]
        definition["argv"] = ["{python}", "-m", CELL_TRIAL_MODULE, script, json.dumps(values)]
        return definition, {**self.params, **values}


def create_trial(
    ws: Workspace,
    sweep: RunRecord,
    template: TrialTemplate,
    index: int,
    values: Mapping[str, Any],
    internal: Mapping[str, Any],
    grid_id: int | None,
) -> RunRecord:
    """One Queued child run of the sweep (its target starts it when a slot is free)."""
    definition, params = template.apply(values)
    properties = {
        **template.properties,
        TRIAL_PROPERTY: index,
        INTERNAL_PROPERTY: json.dumps(dict(internal)),
        HYPERPARAMETERS_PROPERTY: json.dumps(dict(values)),
    }
    if grid_id is not None:
        properties[GRID_PROPERTY] = grid_id
    return ws.store.create_run(
        sweep.experiment_id,
        kind=template.kind,
        compute=template.compute,
        status=RunStatus.QUEUED,
        display_name=f"{sweep.display_name}_{index}",
        parent_id=sweep.id,
        snapshot_id=sweep.snapshot_id,
        definition=definition,
        params=params,
        properties=properties,
    )


def dispatch(ws: Workspace, compute: str) -> None:
    get_target(ws, compute).dispatch()


def trial_index(record: RunRecord) -> int | None:
    raw = record.properties.get(TRIAL_PROPERTY)
    return int(raw) if raw is not None and raw.isdigit() else None


def trial_records(ws: Workspace, sweep_id: str) -> list[RunRecord]:
    """The sweep's trials in index order (children without a trial index are not trials)."""
    records, _ = run_listing.list_runs(ws, parent_id=sweep_id, limit=10_000)
    trials = [r for r in records if trial_index(r) is not None]
    return sorted(trials, key=lambda r: trial_index(r) or 0)
