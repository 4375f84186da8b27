"""Seeding a real workspace the way users fill it: interactive runs through the SDK."""

from __future__ import annotations

import io

from jupyter_mlws.tracking import Run
from jupyter_mlws.workspace import Workspace


def tracked_run(
    ws: Workspace,
    experiment: str = "exp",
    *,
    loss: list[float] | None = None,
    params: dict[str, object] | None = None,
    tags: dict[str, str] | None = None,
    name: str | None = None,
    files: dict[str, bytes] | None = None,
    log_text: str | None = None,
) -> Run:
    """A completed interactive run with a loss curve, params, tags, files and a log."""
    with ws.experiment(experiment).start_run(name, params=params, tags=tags) as run:
        for step, value in enumerate(loss or []):
            run.log("loss", value, step=step)
        for path, data in (files or {}).items():
            run.upload_file(path, io.BytesIO(data))
        if log_text:
            ws.store.append_log(run.id, "std_log.txt", 0, log_text.encode())
    return run
