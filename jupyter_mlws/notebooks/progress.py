"""What a running notebook shows on its run: cell progress and the output notebook.

While the notebook executes, the run carries the tags

- ``mlws.notebook.cells_total``: code cells in the executed notebook (parameters included);
- ``mlws.notebook.cells_done``: code cells finished so far, a failing one included;
- ``mlws.notebook.kernel_start``: ``warm`` (a kernel from a warm pool) or ``cold``;

and the artifact ``outputs/<notebook name>`` is the output notebook as last saved
(papermill saves it when each cell starts and ends). Both are written at most every
``WRITE_EVERY_S`` seconds while cells run, and always at the end, so a fast notebook
is not slowed down by its own bookkeeping. A failed run keeps its partial notebook.
"""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path
from typing import Any

from jupyter_mlws.tracking.run_data import ENV_SECRET_NAMES, secret_env_name, secret_forms

CELLS_DONE = "mlws.notebook.cells_done"
CELLS_TOTAL = "mlws.notebook.cells_total"
KERNEL_START = "mlws.notebook.kernel_start"
WRITE_EVERY_S = 1.0


class RunProgress:
    def __init__(self, run: Any, output_file: Path, artifact: str) -> None:
        self.run = run  # jupyter_mlws.tracking.Run
        self.output_file = output_file
        self.artifact = artifact
        self.code_cells: set[int] = set()
        self.done = 0
        self._last_tags = 0.0
        self._last_upload = 0.0
        self._uploaded: bytes | None = None
        self.kernel_start = "cold"

    def start(self, notebook: Any) -> None:
        self.code_cells = {i for i, c in enumerate(notebook.cells) if c.cell_type == "code"}
        self.run.set_tags(
            {CELLS_DONE: 0, CELLS_TOTAL: len(self.code_cells), KERNEL_START: self.kernel_start}
        )
        self._last_tags = self._last_upload = time.monotonic()

    def notebook_saved(self) -> None:
        if time.monotonic() - self._last_upload >= WRITE_EVERY_S:
            self._upload()

    def cell_finished(self, cell_index: int) -> None:
        if cell_index in self.code_cells:
            self.done += 1
        if time.monotonic() - self._last_tags >= WRITE_EVERY_S:
            self._write_tags()

    def finish(self) -> None:
        self._write_tags()
        self._upload()

    def _write_tags(self) -> None:
        self.run.set_tags({CELLS_DONE: self.done, CELLS_TOTAL: len(self.code_cells)})
        self._last_tags = time.monotonic()

    def _upload(self) -> None:
        self._last_upload = time.monotonic()
        try:
            data = self.output_file.read_bytes()
        except FileNotFoundError:
            return
        data = _redacted(data)
        if data != self._uploaded:
            self.run.upload_file(self.artifact, io.BytesIO(data))
            self._uploaded = data


def _redacted(data: bytes) -> bytes:
    """The run's requested secrets (which the runner put in this process's environment)
    masked in the notebook, raw and JSON-escaped, as the runner masks them in logs."""
    names = json.loads(os.environ.get(ENV_SECRET_NAMES) or "[]")
    for name in names:
        value = os.environ.get(secret_env_name(name))
        for form in sorted(secret_forms(value or ""), key=len, reverse=True):
            data = data.replace(form.encode(), b"***")
    return data
