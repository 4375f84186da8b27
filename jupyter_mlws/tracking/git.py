"""Git state of a source folder, recorded as run properties (one or two git calls)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PREFIX = "mlws.git."


def _git(folder: str, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", folder, *args], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_properties(folder: str | Path) -> dict[str, str]:
    """``mlws.git.{repository_uri,branch,commit,dirty}``; empty outside a repository."""
    if shutil.which("git") is None:
        return {}
    status = _git(str(folder), "status", "--porcelain=v2", "--branch", "--untracked-files=no")
    if status is None:
        return {}
    props: dict[str, str] = {}
    dirty = False
    for line in status.splitlines():
        if line.startswith("# branch.oid ") and not line.endswith("(initial)"):
            props[PREFIX + "commit"] = line.split()[-1]
        elif line.startswith("# branch.head ") and not line.endswith("(detached)"):
            props[PREFIX + "branch"] = line.split(maxsplit=2)[-1]
        elif not line.startswith("#"):
            dirty = True
    props[PREFIX + "dirty"] = "true" if dirty else "false"
    remote = _git(str(folder), "config", "--get", "remote.origin.url")
    if remote:
        props[PREFIX + "repository_uri"] = strip_credentials(remote.strip())
    return props


def strip_credentials(url: str) -> str:
    """``https://user:token@host/x?token=…`` → ``https://host/x``: no secrets in records."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    path = path.split("?", 1)[0].split("#", 1)[0]  # ?private_token=… is a secret too
    return f"{scheme}://{authority.rsplit('@', 1)[-1]}{slash}{path}"
