import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jupyter_mlws import Workspace
from jupyter_mlws.tracking import metric_writer


def test_eight_processes_write_concurrently(tmp_path: Path) -> None:
    """8 writers x 50,000 points into one SQLite workspace: all present, no lock errors."""
    ws = Workspace.init(tmp_path / "proj")
    script = tmp_path / "w.py"
    script.write_text(
        textwrap.dedent("""
        import sys
        from jupyter_mlws import Workspace
        ws = Workspace.open(sys.argv[1])
        run = ws.experiment("conc").start_logging(f"w{sys.argv[2]}")
        for i in range(50_000):
            run.log("x", float(i))
        run.complete()
        print(run.id)
    """)
    )
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(ws.root), str(i)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(8)
    ]
    results = [p.communicate(timeout=240) for p in procs]
    for proc, (_, err) in zip(procs, results):
        assert proc.returncode == 0, err
        assert "locked" not in err
    for out, _ in results:
        latest = {m.key: m for m in ws.store.latest_metrics(out.strip())}
        assert latest["x"].count == 50_000
        assert latest["x"].value == 49_999.0


def test_a_healthy_store_gets_every_point_through_a_small_buffer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Logging faster than the buffer holds waits for the writer (backpressure): the
    buffer stays within its cap and nothing is dropped."""
    monkeypatch.setattr(metric_writer, "MAX_BUFFERED_POINTS", 5_000)
    ws = Workspace.init(tmp_path / "proj")
    run = ws.experiment("small-buffer").start_logging("r")
    peak = 0
    for i in range(60_000):
        run.log("loss", float(i))
        if i % 1000 == 0:
            peak = max(peak, metric_writer.get_writer().status(run.id)[0])
        if i % 3 == 0:
            run.log("acc", float(i), step=i)  # explicit steps share the same cap
    run.complete()
    assert peak <= 5_000
    latest = {m.key: m for m in ws.store.latest_metrics(run.id)}
    assert (latest["loss"].count, latest["loss"].step, latest["loss"].value) == (
        60_000,
        59_999,
        59_999.0,
    )
    assert (latest["acc"].count, latest["acc"].step) == (20_000, 59_997)
    assert "mlws.dropped_metric_points" not in ws.store.get_run(run.id).properties
    history = ws.store.metric_history(run.id, "loss")
    assert history.values.tolist() == [float(i) for i in range(60_000)]


def test_a_forked_child_keeps_logging_to_the_same_run(tmp_path: Path) -> None:
    """A child made by fork (DataLoader workers, multiprocessing) logs through its own
    writer, even through a Run object whose series the parent had already used."""
    ws = Workspace.init(tmp_path / "proj")
    script = tmp_path / "fork.py"
    script.write_text(
        textwrap.dedent("""
        import os, sys
        from jupyter_mlws import Workspace
        run = Workspace.open(sys.argv[1]).experiment("fork").start_logging("parent")
        for i in range(100):
            run.log("loss", float(i))
        run.flush()
        pid = os.fork()
        if pid == 0:
            for i in range(1000):
                run.log("loss", float(i))  # the series the parent's Run object cached
            run.flush()
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        assert status == 0, status
        run.complete()
        print(run.id)
    """)
    )
    proc = subprocess.run(
        [sys.executable, str(script), str(ws.root)], capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, proc.stderr
    latest = {m.key: m.count for m in ws.store.latest_metrics(proc.stdout.strip())}
    assert latest == {"loss": 1100}
