import subprocess
import sys
import textwrap
from pathlib import Path

from jupyter_mlws import Workspace


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
