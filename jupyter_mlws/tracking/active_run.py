"""Making a run the one ``Run.get_context()`` returns, for a block of code.

``%%run --inline`` executes a cell in the user's own kernel; inside it, code written for
submitted jobs (``Run.get_context().log(...)``) must log to that cell's run, and after
the cell the kernel's previous context (if any) comes back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from jupyter_mlws.tracking import run as run_module
from jupyter_mlws.tracking.run import Run


@contextmanager
def use_run(run: Run) -> Iterator[Run]:
    """``Run.get_context()`` returns ``run`` inside the block, the previous one after."""
    with run_module._context_lock:
        previous = run_module._context_run
        run_module._context_run = run
    try:
        yield run
    finally:
        with run_module._context_lock:
            if run_module._context_run is run:
                run_module._context_run = previous
