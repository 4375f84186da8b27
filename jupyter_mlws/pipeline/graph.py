"""The shape of a pipeline: who produces what, the order of steps, and what is refused
(each refusal names the step and the field)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jupyter_mlws.exceptions import InvalidParameterError


def producers(steps: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Output name → the step writing it; two writers are refused."""
    found: dict[str, str] = {}
    for step in steps:
        for output in step["outputs"]:
            if output in found:
                raise InvalidParameterError(
                    f"steps {found[output]!r} and {step['name']!r} both write output "
                    f"{output!r} (field outputs): an output has exactly one producer"
                )
            found[output] = step["name"]
    return found


def upstream(steps: Sequence[Mapping[str, Any]]) -> dict[str, set[str]]:
    """Step name → the steps whose outputs it reads."""
    made_by = producers(steps)
    deps: dict[str, set[str]] = {}
    for step in steps:
        deps[step["name"]] = set()
        for name in step["inputs"]:
            if name not in made_by:
                raise InvalidParameterError(
                    f"step {step['name']!r}: input {name!r} (field inputs) is written by no "
                    "step of the pipeline"
                )
            deps[step["name"]].add(made_by[name])
    return deps


def topological_order(steps: Sequence[Mapping[str, Any]]) -> list[str]:
    """Steps in an order where each comes after what it reads; a cycle is refused."""
    deps = upstream(steps)
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            cycle = [*path[path.index(name) :], name]
            raise InvalidParameterError(
                "steps form a cycle through their inputs (field inputs): "
                + " → ".join(repr(s) for s in cycle)
            )
        state[name] = "visiting"
        for dep in sorted(deps[name]):
            visit(dep, [*path, name])
        state[name] = "done"
        order.append(name)

    for step in steps:
        visit(step["name"], [])
    return order


def downstream(deps: Mapping[str, set[str]], name: str) -> set[str]:
    """Every step that reads, directly or not, what ``name`` writes."""
    found: set[str] = set()
    frontier = [name]
    while frontier:
        current = frontier.pop()
        for step, ups in deps.items():
            if current in ups and step not in found:
                found.add(step)
                frontier.append(step)
    return found


def check_unique_names(names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InvalidParameterError(f"two steps are named {name!r} (field name)")
        seen.add(name)
