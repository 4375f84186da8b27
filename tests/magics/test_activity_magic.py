"""``%mlws activity`` in a notebook: changes made with ``%mlws`` are logged as its door."""

from __future__ import annotations

import json
from typing import Any

from jupyter_mlws import Workspace

from .kernel_outputs import stdout

LOAD = "%load_ext jupyter_mlws"


def test_mlws_magic_changes_are_logged_through_the_magics_door(execute: Any, ws: Workspace) -> None:
    ws.experiment("scratch")
    nb = execute([LOAD, "%mlws experiment archive scratch", "%mlws --json activity"])
    entries = json.loads(stdout(nb.cells[2]))
    assert [(e["action"], e["name"], e["door"]) for e in entries] == [
        ("archive", "scratch", "magics"),
        ("create", "scratch", "sdk"),
    ]
