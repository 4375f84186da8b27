"""Experiments for every front door: list with run counts, one, archive."""

from __future__ import annotations

from jupyter_mlws.entities import Experiment
from jupyter_mlws.tracking import Workspace


def list_experiments(ws: Workspace, include_archived: bool = False) -> list[Experiment]:
    return ws.store.list_experiments(include_archived)


def get_experiment(ws: Workspace, ref: str) -> Experiment:
    """By id or name (an unknown name is an error: looking never creates one)."""
    exp = ws.store.get_experiment(ref)
    counted = {e.id: e for e in ws.store.list_experiments(include_archived=True)}
    return counted.get(exp.id, exp)


def archive_experiment(ws: Workspace, ref: str) -> Experiment:
    archived = ws.store.archive_experiment(ref)
    return get_experiment(ws, str(archived.id))


def experiment_exists(ws: Workspace, name: str) -> bool:
    """Whether ``name`` is an experiment already (archived ones included)."""
    return ws.store.find_experiment(name) is not None
