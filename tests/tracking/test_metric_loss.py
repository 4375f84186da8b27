"""A workspace on a disk that fills up: metric points are never lost without a record.

The workspace lives on a real 8 MB tmpfs, mounted in a private mount namespace
(``unshare``) so the test needs no privileges beyond user namespaces and leaves nothing
mounted. The disk is filled with a file (SQLite then fails with "database or disk is
full"), and freed again to let the store recover. The child process checks what a user
would see and prints it as JSON; the assertions are here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

CHILD = textwrap.dedent(
    r"""
    import errno, json, logging, os, sys
    from pathlib import Path

    from jupyter_mlws import Workspace
    from jupyter_mlws.exceptions import MetricsNotSavedError
    from jupyter_mlws.tracking import metric_writer

    CAP = 20_000
    metric_writer.MAX_BUFFERED_POINTS = CAP  # the documented cap, small for the test

    warnings = []
    class Collect(logging.Handler):
        def emit(self, record):
            if record.name == metric_writer.__name__:
                warnings.append(record.getMessage())
    logging.getLogger(metric_writer.__name__).addHandler(Collect(logging.WARNING))

    disk = Path(sys.argv[1])
    ws = Workspace.init(disk / "proj")
    run = ws.experiment("full-disk").start_logging("r")

    def fill():
        with open(disk / "filler", "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC

    def free():
        (disk / "filler").unlink()

    def flush_error(call):
        try:
            call()
        except MetricsNotSavedError as exc:
            return {"unsaved": exc.unsaved, "dropped": exc.dropped, "message": str(exc)}
        return None

    out = {}
    for i in range(1000):
        run.log("loss", 1.0 / (i + 1))
    run.flush()

    fill()
    logged = 1000
    for i in range(3 * CAP):  # three times what the buffer holds
        run.log("loss", float(i))
    logged += 3 * CAP
    out["flush"] = flush_error(run.flush)
    out["complete"] = flush_error(run.complete)
    out["warnings_while_full"] = list(warnings)

    free()
    run.flush()  # the store takes writes again
    out["flush_after_recovery"] = flush_error(run.flush)
    out["warnings_after_recovery"] = list(warnings)

    fill()  # a second failure: reported again
    for i in range(100):
        run.log("loss", 0.5)
    logged += 100
    out["second_flush"] = flush_error(run.flush)
    out["warnings_second"] = list(warnings)
    free()
    run.complete()

    fresh = Workspace.open(disk / "proj")
    (latest,) = fresh.store.latest_metrics(run.id)
    record = fresh.store.get_run(run.id)
    out.update(
        logged=logged,
        stored=latest.count,
        status=record.status.value,
        dropped_property=record.properties.get("mlws.dropped_metric_points"),
        cap=CAP,
    )
    print(json.dumps(out))
    """
)


def _run_on_small_disk(tmp_path: Path) -> dict[str, Any]:
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) (util-linux) to mount a small private tmpfs")
    disk = tmp_path / "disk"
    disk.mkdir()
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    mount_and_run = 'mount -t tmpfs -o size=8m tmpfs "$1" && exec "$2" "$3" "$1"'
    namespace = ["unshare", "--map-root-user", "--mount"]
    proc = subprocess.run(
        [*namespace, "sh", "-c", mount_and_run, "sh", str(disk), sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0 and "mount" in proc.stderr and "Traceback" not in proc.stderr:
        pytest.skip(f"cannot mount a private tmpfs here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_a_full_disk_is_loud_bounded_and_recorded(tmp_path: Path) -> None:
    out = _run_on_small_disk(tmp_path)
    cap = out["cap"]

    # While the disk is full: flush() and complete() raise, saying how many points are
    # unsaved (at most the cap: memory is bounded), how many were dropped, and why.
    for call in ("flush", "complete"):
        error = out[call]
        assert error is not None, f"{call}() returned although nothing could be written"
        assert 0 < error["unsaved"] <= cap
        assert error["unsaved"] + error["dropped"] == 3 * cap
        assert "disk is full" in error["message"]
        assert f"{error['unsaved']:,} metric points" in error["message"]
    warned = out["warnings_while_full"]
    assert any("could not write metrics" in w and "disk is full" in w for w in warned)
    assert any("dropped" in w for w in warned)

    # Once the disk has room again: nothing more is raised, the recovery is reported.
    assert out["flush_after_recovery"] is None
    assert any("written again" in w for w in out["warnings_after_recovery"])

    # A new failure after the recovery is reported again, and raised again.
    assert out["second_flush"] is not None
    assert (out["second_flush"]["unsaved"], out["second_flush"]["dropped"]) == (100, 0)
    assert len(out["warnings_second"]) > len(out["warnings_after_recovery"])

    # Every point logged is either stored or counted in the run's property.
    dropped = int(out["dropped_property"])
    assert dropped > 0
    assert out["stored"] + dropped == out["logged"]
    assert out["status"] == "Completed"
