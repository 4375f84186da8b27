"""The tools that make a virtualenv: uv when installed (``jupyter-mlws[environments]``),
else ``python -m venv`` and pip.

Each step is a subprocess whose output streams to ``log`` (the run's log during
Preparing); a failing step raises ``EnvironmentBuildError`` with the tool's own last
words, which is what the user needs to fix a requirement.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from jupyter_mlws.environments.errors import EnvironmentBuildError

Log = Callable[[str], None]
ENV_INSTALLER = "MLWS_ENV_INSTALLER"  # "uv" | "pip": force one (tests, benchmarks)


def uv_binary() -> str | None:
    """uv from the ``uv`` package (imported only now), else on PATH."""
    try:
        from uv import find_uv_bin
    except ImportError:
        return shutil.which("uv")
    try:
        return str(find_uv_bin())
    except FileNotFoundError:
        return shutil.which("uv")


def choose() -> str:
    forced = os.environ.get(ENV_INSTALLER)
    if forced == "pip":
        return "pip"
    uv = uv_binary()
    if forced == "uv" and uv is None:
        raise EnvironmentBuildError(
            f'{ENV_INSTALLER}=uv but uv is not installed: pip install "jupyter-mlws[environments]"'
        )
    return "uv" if uv else "pip"


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def run_tool(argv: Sequence[str], log: Log, stdin: str | None = None) -> str:
    """Run one step; stream stderr (progress) to ``log``; return stdout."""
    log(f"[mlws] $ {' '.join(os.path.basename(a) if i == 0 else a for i, a in enumerate(argv))}\n")
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "NO_COLOR": "1"}
    env.pop("VIRTUAL_ENV", None)  # uv would otherwise target the caller's venv
    out: list[str] = []
    err: list[str] = []
    with subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        stdout_pipe = proc.stdout
        reader = threading.Thread(target=lambda: out.append(stdout_pipe.read()), daemon=True)
        reader.start()
        if stdin is not None:
            assert proc.stdin is not None
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.write(stdin)
            proc.stdin.close()
        for line in proc.stderr:  # progress, streamed as it comes (the run's log)
            err.append(line)
            log(line)
        reader.join()
    stdout = "".join(out)
    if proc.returncode != 0:
        words = _last_words("".join(err) or stdout)
        raise EnvironmentBuildError(words or f"{argv[0]} exited {proc.returncode}")
    return stdout


def _last_words(text: str) -> str:
    """The resolver's message: the error lines, joined, without progress chatter."""
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    errors = [i for i, line in enumerate(lines) if line.lstrip().lower().startswith("error")]
    tail = lines[errors[0] :] if errors else lines[-6:]
    return " ".join(" ".join(line.split()) for line in tail)[:2000]


def index_args(index_urls: Sequence[str]) -> list[str]:
    if not index_urls:
        return []
    first, *rest = index_urls
    return ["--index-url", first, *(a for url in rest for a in ("--extra-index-url", url))]


class UvInstaller:
    name = "uv"

    def __init__(self) -> None:
        binary = uv_binary()
        assert binary is not None
        self.uv = binary

    def resolve(
        self, requirements: Sequence[str], python: str, index_urls: Sequence[str], log: Log
    ) -> list[str]:
        out = run_tool(
            [
                *(self.uv, "pip", "compile", "-", "--python", python),
                *("--no-header", "--no-annotate", "--quiet", *index_args(index_urls)),
            ],
            log,
            stdin="\n".join(requirements) + "\n",
        )
        return [line for line in out.splitlines() if line.strip() and not line.startswith("#")]

    def create(self, venv: Path, python: str, log: Log) -> None:
        # relocatable: the build is renamed into place, so entry points use relative paths
        run_tool([self.uv, "venv", "--relocatable", "--quiet", "--python", python, str(venv)], log)

    def install_locked(
        self, venv: Path, packages: Sequence[str], index_urls: Sequence[str], log: Log
    ) -> None:
        if not packages:
            return
        run_tool(
            [
                *(self.uv, "pip", "install", "--python", str(venv_python(venv)), "--no-deps"),
                *index_args(index_urls),
                *("-r", "-"),
            ],
            log,
            stdin="\n".join(packages) + "\n",
        )


class PipInstaller:
    """The fallback: resolution *is* an install (pip has no resolve-only output we
    could trust across versions), after which ``pip freeze`` gives the lock."""

    name = "pip"

    def create(self, venv: Path, python: str, log: Log) -> None:
        run_tool([python, "-m", "venv", str(venv)], log)

    def install(
        self,
        venv: Path,
        requirements: Sequence[str],
        index_urls: Sequence[str],
        log: Log,
        no_deps: bool = False,
    ) -> None:
        if not requirements:
            return
        reqs = venv / "mlws-requirements.txt"
        reqs.write_text("\n".join(requirements) + "\n", encoding="utf-8")
        try:
            run_tool(
                [str(venv_python(venv)), "-m", "pip", "install", "--progress-bar", "off"]
                + (["--no-deps"] if no_deps else [])
                + [*index_args(index_urls), "-r", str(reqs)],
                log,
            )
        finally:
            reqs.unlink(missing_ok=True)

    def freeze(self, venv: Path, log: Log) -> list[str]:
        out = run_tool([str(venv_python(venv)), "-m", "pip", "freeze"], log)
        return [line for line in out.splitlines() if line.strip()]


def fix_shebangs(venv: Path, old: Path, new: Path) -> None:
    """pip's entry points name the venv's absolute path; after the rename they must name
    the final one (uv's relocatable venvs need nothing)."""
    old_b, new_b = str(old).encode(), str(new).encode()
    bin_dir = venv_python(venv).parent
    for script in bin_dir.iterdir():
        if script.is_symlink() or not script.is_file():
            continue
        try:
            head = script.read_bytes()
        except OSError:
            continue
        if old_b in head and (head.startswith(b"#!") or script.name.startswith("activate")):
            script.write_bytes(head.replace(old_b, new_b))
