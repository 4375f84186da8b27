"""A warm notebook process: papermill imported and a kernel started, waiting for a run.

``python -m jupyter_mlws.notebooks.warm --kernel NAME`` is what a compute target's warm
pool keeps ready (see ``jupyter_mlws.compute.warm_pool`` for the protocol): when the
kernel answers it writes ``READY_LINE`` on stdout, then reads one JSON line on stdin,
``{"argv": [...], "cwd": "...", "env": {...}}``, and becomes that command, which must be
``python -m jupyter_mlws.notebooks.execute …``. The kernel is used for exactly that one
run and is then killed; end of input without a job means "not needed, exit".
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from jupyter_mlws.config import ENV_WORKSPACE
from jupyter_mlws.notebooks.kernels import start_kernel

READY_LINE = b"mlws-warm-ready\n"  # the contract with compute.warm_pool
EXECUTE_MODULE = "jupyter_mlws.notebooks.execute"
# Imported into the kernel ahead of time: most notebook runs call Run.get_context().
PRELOAD = "import jupyter_mlws.tracking"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jupyter_mlws.notebooks.warm")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--jupyter-path", help="where an environment's kernelspec is")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.jupyter_path:  # a warm kernel of an environment (one pool per environment)
        os.environ["JUPYTER_PATH"] = args.jupyter_path

    from jupyter_mlws.notebooks import execute
    from jupyter_mlws.notebooks._deps import skip_slow_optional_imports
    from jupyter_mlws.notebooks.engine import register_engine

    execute.require_papermill()
    skip_slow_optional_imports()
    _preload_papermill()
    _preload_workspace()
    register_engine()
    ready = start_kernel(args.kernel, os.getcwd())
    try:
        ready.run_code(PRELOAD)
    except Exception as exc:  # the kernel works without it; just slower
        print(f"[mlws] warm kernel preload skipped: {exc}", file=sys.stderr)
    os.write(sys.stdout.fileno(), READY_LINE)
    line = sys.stdin.buffer.readline()
    if not line.strip():
        ready.kill()
        return 0
    job = json.loads(line)
    command = [str(a) for a in job["argv"]]
    if command[1:3] != ["-m", EXECUTE_MODULE]:
        ready.kill()
        print(f"[mlws] a warm notebook process cannot run {command!r}", file=sys.stderr)
        return 2
    env = {str(k): str(v) for k, v in job["env"].items()}
    ready.env_updates = {k: v for k, v in env.items() if os.environ.get(k) != v}
    os.environ.update(env)
    os.chdir(job["cwd"])
    sys.argv = [EXECUTE_MODULE, *command[3:]]
    return execute.main(command[3:], ready=ready)


def _preload_workspace() -> None:
    """Open the workspace now (engine, schema check): runs find it in the process cache."""
    root = os.environ.get(ENV_WORKSPACE)
    if root:
        from jupyter_mlws.tracking import Workspace

        Workspace.open(root)


def _preload_papermill() -> None:
    """Import and exercise what every run needs, so the first run does not pay for it."""
    import nbformat
    import papermill  # noqa: F401
    from papermill.translators import papermill_translators  # noqa: F401

    nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]))


if __name__ == "__main__":
    from jupyter_mlws.notebooks.execute import exit_now

    exit_now(main())
