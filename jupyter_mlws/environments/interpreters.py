"""Finding a Python interpreter of a given ``major.minor`` on this machine."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from jupyter_mlws.exceptions import InvalidParameterError

_NAME_RE = re.compile(r"^python3(\.\d+)?$")


def host_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def base_python() -> str:
    """The interpreter a venv of the host's version is made from (not a venv's python)."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    return str(base)


@lru_cache(maxsize=1)
def available() -> dict[str, str]:
    """``{"3.11": "/usr/bin/python3.11", …}``: the host's version, then ``python3.X`` on PATH."""
    found: dict[str, str] = {host_version(): base_python()}
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            continue
        for name in names:
            if not _NAME_RE.match(name):
                continue
            path = str(Path(folder) / name)
            version = _version_of(path)
            if version and version not in found:
                found[version] = path
    return found


def _version_of(path: str) -> str | None:
    try:
        out = subprocess.run(
            [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find(version: str | None) -> str:
    """The interpreter for ``version`` (None: the host's); names the ones there are."""
    if version is None or version == host_version():
        return base_python()
    path = available().get(version)  # verified by running it: pyenv shims may not work
    if path:
        return path
    have = ", ".join(f"{v} ({p})" for v, p in sorted(available().items()))
    raise InvalidParameterError(f"python {version} is not on this machine; available: {have}")
