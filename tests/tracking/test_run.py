import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jupyter_mlws import Run, Workspace, start_run
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import ImmutableValueError, InvalidParameterError


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")


def test_context_manager_completes_and_persists(ws: Workspace) -> None:
    with ws.experiment("exp").start_run("first", params={"lr": 0.1}) as run:
        for i in range(100):
            run.log("loss", 1 / (i + 1))
        run.log("accuracy", 0.9)
    record = ws.store.get_run(run.id)
    assert record.status is RunStatus.COMPLETED
    assert record.params == {"lr": "0.1"}
    metrics = run.get_metrics()
    assert metrics["accuracy"] == 0.9
    assert metrics["loss"][:2] == [1.0, 0.5] and len(metrics["loss"]) == 100


def test_exception_fails_run_with_traceback(ws: Workspace) -> None:
    with pytest.raises(ZeroDivisionError), ws.experiment("exp").start_run() as run:
        run.log("x", 1)
        _ = 1 / 0
    record = ws.store.get_run(run.id)
    assert record.status is RunStatus.FAILED
    assert record.error is not None
    assert "ZeroDivisionError" in record.error["message"]
    assert "Traceback" in record.error["traceback"]
    assert run.get_metrics()["x"] == 1.0  # logged points survive the failure


def test_params_are_immutable_tags_are_not(ws: Workspace) -> None:
    run = ws.experiment("exp").start_logging()
    run.log_params({"lr": 0.1, "layers": 3})
    run.log_params({"lr": 0.1})  # same value again is fine
    with pytest.raises(ImmutableValueError, match="lr"):
        run.log_params({"lr": 0.2})
    run.set_tags({"stage": "dev"})
    run.set_tags({"stage": "prod"})
    run.add_properties({"owner": "ana"})
    with pytest.raises(ImmutableValueError):
        run.add_properties({"owner": "bob"})
    assert run.get_tags() == {"stage": "prod"}
    assert run.refresh().params == {"lr": "0.1", "layers": "3"}
    run.complete()


def test_nan_and_inf_are_stored_faithfully(ws: Workspace) -> None:
    with start_run("exp", workspace=ws) as run:
        run.log("v", float("nan"))
        run.log("v", float("inf"))
        run.log("v", float("-inf"))
        run.log("v", 1.5)
    values = run.get_metrics()["v"]
    assert math.isnan(values[0]) and values[1:] == [math.inf, -math.inf, 1.5]


@pytest.mark.parametrize("bad", [{"a": 1}, [1, 2], object(), None])
def test_non_numeric_metric_values_are_rejected(ws: Workspace, bad: object) -> None:
    run = ws.experiment("exp").start_logging()
    with pytest.raises(InvalidParameterError, match="must be a number"):
        run.log("m", bad)
    run.complete()


def test_an_int_too_large_for_a_float_is_a_typed_one_line_error(ws: Workspace) -> None:
    with start_run("exp", workspace=ws) as run:
        with pytest.raises(InvalidParameterError) as caught:
            run.log("big", 10**400)
        run.log("big", 10**300)  # large, but a float64: kept
    message = str(caught.value)
    assert "'big'" in message and "too large" in message and "\n" not in message
    assert len(message) < 200  # the 401 digits are not all printed
    assert run.get_metrics() == {"big": 1e300}


class Opaque:
    def __repr__(self) -> str:
        return "<Opaque thing>"


@pytest.mark.parametrize(
    ("log", "named"),
    [
        (lambda run: run.log_row("cm", tp=1, c=Opaque()), "row 'cm'"),
        (lambda run: run.log_params({"a": Opaque()}), "param 'a'"),
        (lambda run: run.set_tags({"t": [1, Opaque()]}), "tag 't'"),
        (lambda run: run.log_table("tbl", {"x": [Opaque()]}), "table 'tbl'"),
        (lambda run: run.log_list("l", ["a", Opaque()]), "list 'l'"),
    ],
)
def test_objects_are_refused_not_stored_as_their_repr(
    ws: Workspace, log: object, named: str
) -> None:
    with start_run("exp", workspace=ws) as run, pytest.raises(InvalidParameterError) as caught:
        log(run)  # type: ignore[operator]
    message = str(caught.value)
    assert named in message and "Opaque <Opaque thing>" in message and "\n" not in message
    record = run.refresh()
    assert run.get_metrics() == {} and record.params == {} and record.tags == {}


def test_numpy_values_are_stored_as_plain_numbers(ws: Workspace) -> None:
    import numpy as np

    with start_run("exp", workspace=ws) as run:
        run.log_row("r", a=np.float32(0.5), b=np.arange(2))
        run.log_params({"n": np.int64(3)})
    assert run.get_metrics()["r"] == {"a": [0.5], "b": [[0, 1]]}
    assert run.refresh().params == {"n": "3"}


@pytest.mark.parametrize("name", ["", "../etc", "a" * 300, "bad\nname", "-x"])
def test_invalid_metric_names_are_rejected(ws: Workspace, name: str) -> None:
    run = ws.experiment("exp").start_logging()
    with pytest.raises(InvalidParameterError, match="invalid metric name"):
        run.log(name, 1.0)
    run.complete()


def test_rows_tables_lists_strings_and_images(ws: Workspace, tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with start_run("exp", workspace=ws) as run:
        run.log_row("cm", tp=1, fp=2)
        run.log_row("cm", tp=3, fp=4)
        run.log_table("t", {"x": [1, 2], "y": [3, 4]})
        run.log_list("l", [0.1, 0.2])
        run.log("note", "hello")
        plt.plot([1, 2, 3])
        run.log_image("curve", plot=plt)
        png = tmp_path / "x.png"
        png.write_bytes(b"\x89PNG fake")
        run.log_image("file", path=png)
    metrics = run.get_metrics()
    assert metrics["cm"] == {"tp": [1, 3], "fp": [2, 4]}
    assert metrics["t"] == {"x": [1, 2], "y": [3, 4]}
    assert metrics["l"] == [0.1, 0.2]
    assert metrics["note"] == "hello"
    assert run.read_file(metrics["curve"]).startswith(b"\x89PNG")
    assert run.read_file(metrics["file"]) == b"\x89PNG fake"


def test_files_round_trip_and_stay_inside_the_run(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("A")
    (folder / "sub" / "b.txt").write_text("B")
    with start_run("exp", workspace=ws) as run:
        run.upload_folder("outputs", folder)
        run.upload_file("notes/readme.md", folder / "a.txt")
    assert run.get_file_names() == ["notes/readme.md", "outputs/a.txt", "outputs/sub/b.txt"]
    dest = run.download_file("outputs/sub/b.txt", tmp_path / "dl" / "b.txt")
    assert dest.read_text() == "B"
    for bad in ["../x", "/etc/passwd", "a/../../x", "", "a\\b"]:
        with pytest.raises(InvalidParameterError):
            run.upload_file(bad, folder / "a.txt")


def test_children(ws: Workspace) -> None:
    with start_run("exp", workspace=ws) as parent:
        with parent.child_run("c1") as c1:
            c1.log("x", 1)
        with parent.child_run("c2"):
            pass
    children = parent.get_children()
    assert [c.display_name for c in children] == ["c1", "c2"]
    assert children[0].parent is not None and children[0].parent.id == parent.id
    top, _ = ws.store.list_runs(ws.experiment("exp").id, top_level_only=True)
    assert [r.id for r in top] == [parent.id]


def test_get_context_outside_a_job_persists(ws: Workspace, tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text(
        textwrap.dedent("""
        from jupyter_mlws import Run
        run = Run.get_context()
        run.log("x", 42)
        print(run.id)
    """)
    )
    env = {"MLWS_WORKSPACE": str(ws.root), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, check=True
    )
    run = Run(ws, out.stdout.strip())
    assert run.status is RunStatus.COMPLETED  # ended with the process
    assert run.get_metrics() == {"x": 42.0}


def test_get_context_outside_a_job_creates_a_run_only_when_used(
    ws: Workspace, tmp_path: Path
) -> None:
    script = tmp_path / "s.py"
    script.write_text("from jupyter_mlws import Run\nrun = Run.get_context()\nprint(repr(run))\n")
    env = {"MLWS_WORKSPACE": str(ws.root), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, check=True
    )
    assert "not created until something is logged" in out.stdout
    assert ws.store.list_runs(limit=10)[0] == []  # asked for, never used: no empty run
    script.write_text(
        "from jupyter_mlws import Run\nrun = Run.get_context()\nrun.set_tags({'a': '1'})\n"
    )
    subprocess.run([sys.executable, str(script)], env=env, check=True)
    (record,) = ws.store.list_runs(limit=10)[0]
    assert record.tags["a"] == "1" and record.status is RunStatus.COMPLETED


def test_points_flushed_in_the_background_survive_sigkill(ws: Workspace, tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text(
        textwrap.dedent("""
        import os, signal, time
        from jupyter_mlws import Run
        run = Run.get_context()
        print(run.id, flush=True)
        for i in range(1000):
            run.log("x", i)
        # no flush(): wait (with a long deadline) until the background writer has
        # written the points on its own, then die without any exit handler
        def stored():
            if "x" not in run.workspace.store.metric_keys(run.id):
                return 0
            return len(run.workspace.store.metric_history(run.id, "x").values)

        deadline = time.monotonic() + 120
        while stored() < 1000:
            assert time.monotonic() < deadline, "the writer never flushed"
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    )
    env = {"MLWS_WORKSPACE": str(ws.root), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True)
    assert proc.returncode == -9
    run = Run(ws, proc.stdout.split()[0])
    assert len(run.get_metrics()["x"]) == 1000
    assert run.status is RunStatus.FAILED  # its process is gone: marked lost
    assert "lost" in (run.record.error or {}).get("message", "")


def test_wait_for_completion_streams_logs(ws: Workspace) -> None:
    import io

    run = ws.experiment("exp").start_logging()
    ws.store.append_log(run.id, "std_log.txt", 0, b"hello\n")
    run.complete()
    out = io.StringIO()
    details = run.wait_for_completion(show_output=True, out=out)
    assert out.getvalue() == "hello\n"
    assert details["status"] == "Completed"
