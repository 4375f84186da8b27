"""Runs README snippets in order, as a reader would: Python blocks in one IPython shell
(so names carry over and ``%%run``/``%mlws`` work), shell blocks in bash, in this
process's current folder. Usage: ``python readme_driver.py SNIPPETS.json``; prints one
``@@readme-test <json>`` line per snippet and stops at the first one that fails."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import traceback

from IPython.core.interactiveshell import InteractiveShell

TAG = "@@readme-test "


def report(**fields: object) -> None:
    sys.stdout.flush()
    print(TAG + json.dumps(fields), flush=True)


def run_python(shell: InteractiveShell, cells: list[str]) -> str | None:
    for cell in cells:
        result = shell.run_cell(cell, store_history=True)
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
            return f"cell {cell.splitlines()[0]!r} raised:\n{text}"
    return None


def run_shell(code: str) -> str | None:
    # -x echoes each command, so a failure's output shows which line failed.
    proc = subprocess.run(["bash", "-euxo", "pipefail", "-c", code], stdin=subprocess.DEVNULL)
    return None if proc.returncode == 0 else f"bash exited with {proc.returncode}"


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as fh:
        snippets = json.load(fh)
    shell = InteractiveShell.instance()
    for snippet in snippets:
        print(f"\n===== {snippet['name']}", flush=True)
        started = time.monotonic()
        if snippet["language"] == "python":
            error = run_python(shell, snippet["cells"])
        else:
            error = run_shell(snippet["code"])
        seconds = round(time.monotonic() - started, 1)
        report(name=snippet["name"], error=error, seconds=seconds)
        if error is not None:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
