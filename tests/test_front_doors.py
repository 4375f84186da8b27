"""Front doors hold no store access: import-linter forbids importing ``jupyter_mlws.store``
from them; this catches the other way in, reaching ``ws.store`` or ``ws.blobs``."""

from __future__ import annotations

import ast
from pathlib import Path

import jupyter_mlws

FRONT_DOORS = ("cli", "server", "widgets", "magics", "azureml")


def _store_reaches(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}:{node.lineno} .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in ("store", "blobs")
    ]


def test_front_doors_reach_the_store_only_through_the_services() -> None:
    package = Path(jupyter_mlws.__file__).parent
    found = [
        reach
        for door in FRONT_DOORS
        for path in sorted((package / door).rglob("*.py"))
        for reach in _store_reaches(path)
    ]
    assert found == []
