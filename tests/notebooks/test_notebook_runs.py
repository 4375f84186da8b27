"""Notebook runs on ``local``: real papermill, real kernels, real process groups."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from helpers import wait_until

from jupyter_mlws import NotebookRunConfig, Run, Workspace
from jupyter_mlws.compute import local_agent
from jupyter_mlws.entities import RunStatus
from jupyter_mlws.exceptions import InvalidParameterError, RunFailedError
from jupyter_mlws.notebooks.progress import WRITE_EVERY_S

ALL_TYPES = {
    "text": "héllo 'quoted' \"twice\"\nline",
    "count": 42,
    "big": 2**53 + 1,
    "ratio": -0.125,
    "flag": False,
    "nothing": None,
    "items": [1, "two", 3.5, None, True, [4]],
    "mapping": {"a": {"b": [1, 2]}, "c": None, "d": "e"},
}
DEFAULTS = "\n".join(f"{name} = 'default'" for name in ALL_TYPES)


def output_notebook(run: Run, name: str = "nb.ipynb") -> dict:  # type: ignore[type-arg]
    return json.loads(run.read_file(f"outputs/{name}"))


def stream_text(nb: dict) -> str:  # type: ignore[type-arg]
    return "".join(
        "".join(o.get("text", ""))
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if o["output_type"] == "stream"
    )


def test_every_json_type_is_injected_and_recorded(
    ws: Workspace, notebook: Callable[..., Path]
) -> None:
    check = f"""
import json, os
from jupyter_mlws import Run
run = Run.get_context()
run.set_tags({{"seen_run": run.id, "cwd": os.getcwd()}})
got = {{k: globals()[k] for k in {list(ALL_TYPES)!r}}}
assert got == json.loads({json.dumps(ALL_TYPES)!r}), got
assert isinstance(flag, bool) and isinstance(count, int) and isinstance(ratio, float)
run.log("count_seen", count)
print("TYPES-OK")
"""
    path = notebook(DEFAULTS, check)
    run = ws.experiment("nb").submit(NotebookRunConfig(path, parameters=ALL_TYPES))
    run.wait_for_completion(timeout=120)
    record = run.refresh()
    assert record.status is RunStatus.COMPLETED
    assert record.kind == "notebook"
    assert record.tags["seen_run"] == run.id  # Run.get_context() is the submitted run
    assert record.tags["cwd"].endswith("/wd")  # the notebook's folder in the snapshot
    assert {
        k: json.loads(v) if not isinstance(ALL_TYPES[k], str) else v
        for k, v in record.params.items()
    } == ALL_TYPES
    assert run.get_metrics()["count_seen"] == 42
    assert "TYPES-OK" in run.get_logs()  # cell output streams into the run's log
    nb = output_notebook(run)
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert len(injected) == 1 and "count = 42" in "".join(injected[0]["source"])
    assert record.tags["mlws.notebook.cells_done"] == record.tags["mlws.notebook.cells_total"]
    assert record.tags["mlws.notebook.cells_total"] == "3"  # parameters, injected, body
    assert record.properties["mlws.notebook.output"] == "outputs/nb.ipynb"


def test_failing_cell_fails_the_run_with_cell_details_and_keeps_partial_output(
    ws: Workspace, notebook: Callable[..., Path]
) -> None:
    path = notebook("divisor = 1", "print('before the error')", "x = 1 / divisor", "print('never')")
    run = ws.experiment("nb").submit(NotebookRunConfig(path, parameters={"divisor": 0}))
    with pytest.raises(RunFailedError, match="ZeroDivisionError"):
        run.wait_for_completion(timeout=120)
    error = run.refresh().error
    assert error is not None
    assert error["code"] == "cell_error"
    assert error["cell_index"] == 3  # parameters, injected-parameters, print, failing cell
    assert error["ename"] == "ZeroDivisionError"
    assert error["evalue"] == "division by zero"
    assert "1 / divisor" in error["traceback"] and "\x1b[" not in error["traceback"]
    nb = output_notebook(run)
    assert "before the error" in stream_text(nb)
    assert "never" not in stream_text(nb)
    errors = [
        o
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c["outputs"]
        if o["output_type"] == "error"
    ]
    assert [e["ename"] for e in errors] == ["ZeroDivisionError"]
    assert run.refresh().tags["mlws.notebook.cells_done"] == "4"  # the failing cell ran too


def test_progress_and_output_notebook_are_visible_while_running(
    ws: Workspace, notebook: Callable[..., Path], tmp_path: Path
) -> None:
    gate = tmp_path / "gate"  # the second cell holds until the test has seen progress
    held = f"import os, time\nwhile not os.path.exists({str(gate)!r}):\n    time.sleep(0.05)"
    # The first cell outlasts the progress throttle (WRITE_EVERY_S), so its end and the
    # next cell's start are written however slow the machine is (slower only helps).
    first = f"import time; time.sleep({WRITE_EVERY_S} + 0.1); print('step')"
    path = notebook(None, first, held, "print('after')", "print('end')")
    run = ws.experiment("nb").submit(NotebookRunConfig(path))

    def partway() -> bool:
        record = run.refresh()
        assert not record.status.is_terminal, f"ended {record.status.value} while held"
        done = record.tags.get("mlws.notebook.cells_done")
        return done == "1" and "outputs/nb.ipynb" in run.get_file_names()

    wait_until(partway, timeout=300)
    assert run.refresh().tags["mlws.notebook.cells_total"] == "4"
    assert "step" in stream_text(output_notebook(run))  # the partial notebook
    gate.touch()
    run.wait_for_completion(timeout=300)
    assert run.refresh().tags["mlws.notebook.cells_done"] == "4"


def _pids(run: Run) -> list[int]:
    """The kernel's pid and its parent's (the papermill process), as the notebook printed."""
    return [int(p) for p in run.get_logs().split("pids ", 1)[1].split()[:2]]


def test_cancel_mid_cell_stops_kernel_and_papermill(
    ws: Workspace, notebook: Callable[..., Path]
) -> None:
    path = notebook(
        None,
        "import os, time\nprint('pids', os.getpid(), os.getppid(), flush=True)\ntime.sleep(300)",
    )
    run = ws.experiment("nb").submit(NotebookRunConfig(path))
    wait_until(lambda: "pids " in run.get_logs(), timeout=120)
    kernel, papermill_process = _pids(run)
    assert {psutil.Process(kernel).ppid()} == {papermill_process}
    run.cancel()
    with pytest.raises(RunFailedError, match="Canceled"):
        run.wait_for_completion(timeout=120)

    def gone(pid: int) -> bool:
        try:
            return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True

    wait_until(lambda: gone(kernel) and gone(papermill_process), timeout=120)


def test_warm_kernel_is_used_once_and_leaks_nothing(
    ws: Workspace,
    notebook: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(local_agent.ENV_POOL_SIZE, "1")
    (tmp_path / "src" / "helper.py").parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "src" / "helper.py").write_text("VALUE = 'from the snapshot'\n")
    path = notebook(
        "n = 0",
        """
import os, helper
from jupyter_mlws import Run
assert 'leak' not in globals(), 'state leaked from an earlier run'
leak = n
Run.get_context().set_tags({'helper': helper.VALUE, 'env': os.environ.get('MY_VAR', '')})
print('kernel', os.getpid())
""",
    )
    exp = ws.experiment("nb")
    first = exp.submit(NotebookRunConfig(path, parameters={"n": 1}))
    first.wait_for_completion(timeout=120)
    assert first.refresh().tags["mlws.notebook.kernel_start"] == "cold"
    wait_until(
        lambda: sum((local_agent.status(ws) or {}).get("warm_ready", {}).values()) >= 1, timeout=120
    )
    runs = []
    for n in (2, 3):
        run = exp.submit(
            NotebookRunConfig(path, parameters={"n": n}, environment_variables={"MY_VAR": f"v{n}"})
        )
        run.wait_for_completion(timeout=120)
        runs.append(run.refresh())
        wait_until(
            lambda: sum((local_agent.status(ws) or {}).get("warm_ready", {}).values()) >= 1,
            timeout=120,
        )
    assert runs[0].tags["mlws.notebook.kernel_start"] == "warm"
    assert [r.tags["helper"] for r in runs] == ["from the snapshot"] * 2
    assert [r.tags["env"] for r in runs] == ["v2", "v3"]
    assert [r.params["n"] for r in runs] == ["2", "3"]
    kernels = {Run(ws, r.id).get_logs().split("kernel ")[1].split()[0] for r in runs}
    assert len(kernels) == 2  # one kernel per run


def test_pool_size_zero_runs_cold_without_an_agent(
    ws: Workspace, notebook: Callable[..., Path]
) -> None:
    run = ws.experiment("nb").submit(NotebookRunConfig(notebook("x = 1", "print(x)")))
    run.wait_for_completion(timeout=120)
    assert run.refresh().tags["mlws.notebook.kernel_start"] == "cold"
    assert local_agent.status(ws) is None


def test_bad_submissions_create_no_run(ws: Workspace, notebook: Callable[..., Path]) -> None:
    exp = ws.experiment("nb")
    path = notebook("x = 1", "print(x)")
    with pytest.raises(InvalidParameterError, match="not an identifier"):
        exp.submit(NotebookRunConfig(path, parameters={"not valid": 1}))
    with pytest.raises(InvalidParameterError, match="JSON data"):
        exp.submit(NotebookRunConfig(path, parameters={"x": object()}))
    with pytest.raises(InvalidParameterError, match="no such notebook"):
        exp.submit(NotebookRunConfig(path.with_name("missing.ipynb")))
    (path.parent / "elsewhere").mkdir()
    with pytest.raises(InvalidParameterError, match="inside source_dir"):
        exp.submit(NotebookRunConfig(path, source_dir=path.parent / "elsewhere"))
    assert ws.store.list_runs(exp.id)[0] == []
