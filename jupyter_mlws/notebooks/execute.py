"""Executes one notebook with papermill: the user command of a notebook run.

``python -m jupyter_mlws.notebooks.execute NOTEBOOK OUTPUT [--parameters JSON]
[--kernel NAME]`` runs inside the job runner's process group, like a script; the kernel
is started in that group too (or handed over warm by ``notebooks.warm``), so cancelling
the run stops the kernel with it. Cell output streams to stdout/stderr (the run's log).

A failing cell makes the process exit 1 after writing a structured error (cell index,
error name, value, traceback) to ``$MLWS_ERROR_FILE``, which the runner records on the
run; the partial output notebook has been saved by then.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import traceback
from pathlib import Path
from typing import Any

from jupyter_mlws.config import ENV_RUN_ID, ENV_WORKSPACE
from jupyter_mlws.notebooks._deps import require_papermill, skip_slow_optional_imports
from jupyter_mlws.notebooks.kernels import ReadyKernel, start_kernel
from jupyter_mlws.notebooks.progress import RunProgress

ENV_ERROR_FILE = "MLWS_ERROR_FILE"
DEFAULT_KERNEL = "python3"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m jupyter_mlws.notebooks.execute")
    parser.add_argument("notebook")
    parser.add_argument("output")
    parser.add_argument("--parameters", default="{}", help="a JSON object")
    parser.add_argument("--kernel", default=None)
    return parser.parse_args(argv)


def notebook_kernel_name(path: Path) -> str:
    """The kernelspec the notebook names, or ``python3``."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return DEFAULT_KERNEL
    return str(meta.get("kernelspec", {}).get("name") or DEFAULT_KERNEL)


def main(argv: list[str] | None = None, ready: ReadyKernel | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    require_papermill()
    skip_slow_optional_imports()
    import papermill

    from jupyter_mlws.notebooks.engine import ENGINE_NAME, register_engine

    notebook = Path(args.notebook).resolve()
    output = Path(args.output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    parameters = json.loads(args.parameters)
    kernel_name = args.kernel or notebook_kernel_name(notebook)
    register_engine()
    progress = _run_progress(output, args.output)
    warm = ready is not None and ready.name == kernel_name
    if progress is not None:
        progress.kernel_start = "warm" if warm else "cold"
    try:
        ready = _kernel_for(ready, kernel_name, notebook.parent)
    except Exception as exc:
        _record_error({"message": f"the kernel {kernel_name!r} did not start: {exc}"})
        return 1
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=kernel_name,
            engine_name=ENGINE_NAME,
            progress_bar=False,
            log_output=True,
            stdout_file=sys.stdout,
            stderr_file=sys.stderr,
            ready_kernel=ready,
            progress=progress,
        )
        return 0
    except papermill.PapermillExecutionError as exc:
        _record_error(cell_error(exc))
        return 1
    except Exception as exc:  # a dead kernel, an unreadable notebook, …
        _record_error(
            {"message": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
        )
        return 1
    finally:
        ready.finish()
        if progress is not None:
            progress.finish()


def cell_error(exc: Any) -> dict[str, Any]:
    """The run error of a failing cell: structured fields, never text to parse."""
    return {
        "message": f"cell {exc.cell_index} raised {exc.ename}: {exc.evalue}",
        "code": "cell_error",
        "cell_index": exc.cell_index,
        "execution_count": exc.exec_count,
        "ename": exc.ename,
        "evalue": exc.evalue,
        "traceback": _ANSI.sub("", "\n".join(exc.traceback)),
    }


def _kernel_for(ready: ReadyKernel | None, name: str, cwd: Path) -> ReadyKernel:
    if ready is not None and ready.name == name:
        ready.adopt(cwd)
        return ready
    if ready is not None:
        ready.kill()
    return start_kernel(name, cwd)


def _run_progress(output: Path, artifact_hint: str) -> RunProgress | None:
    run_id = os.environ.get(ENV_RUN_ID)
    if not run_id:
        return None
    from jupyter_mlws.tracking import Run, Workspace

    ws = Workspace.open(os.environ[ENV_WORKSPACE])
    artifact = Path(artifact_hint).as_posix()
    if Path(artifact).is_absolute() or artifact.startswith(".."):
        artifact = f"outputs/{output.name}"
    return RunProgress(Run(ws, run_id), output, artifact)


def _record_error(error: dict[str, Any]) -> None:
    print(f"[mlws] {error['message']}", file=sys.stderr, flush=True)
    path = os.environ.get(ENV_ERROR_FILE)
    if path:
        Path(path).write_text(json.dumps(error), encoding="utf-8")


def exit_now(code: int) -> None:
    """Leave without interpreter teardown (zmq and asyncio add ~0.1 s and nothing else)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
