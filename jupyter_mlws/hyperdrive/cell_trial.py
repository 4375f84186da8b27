"""One trial of a ``%%run --sweep`` cell: ``python -m jupyter_mlws.hyperdrive.cell_trial
SCRIPT VALUES_JSON`` runs the cell's script with the trial's values as its variables
(the sweep's trials share one snapshot, so the values cannot be written into it)."""

from __future__ import annotations

import json
import runpy
import sys


def main(argv: list[str]) -> None:
    script, values = argv[0], json.loads(argv[1])
    sys.argv = [script]
    runpy.run_path(script, init_globals=values, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
