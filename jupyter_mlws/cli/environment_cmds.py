"""``mlws environment …``: create, list, show, build, delete, prune, dockerfile."""

from __future__ import annotations

import re
from pathlib import Path

import click

from jupyter_mlws.cli.context import get_ctx, json_option
from jupyter_mlws.cli.output import fmt_time
from jupyter_mlws.cli.params import parse_pairs
from jupyter_mlws.environments import Environment, EnvironmentSpec
from jupyter_mlws.environments.cache import BuildCache
from jupyter_mlws.environments.conda import read_conda_file
from jupyter_mlws.environments.dockerfile import write_context
from jupyter_mlws.environments.registry import EnvironmentVersion
from jupyter_mlws.environments.spec import read_requirements
from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.services import environments

COLUMNS = ["environment", "python", "packages", "state", "size", "last_used"]
_SIZE_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*([KMGT]?)B?$", re.IGNORECASE)


def fmt_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(size)


def parse_size(text: str) -> int:
    match = _SIZE_RE.match(text.strip())
    if not match:
        raise InvalidParameterError(f"--max-size {text!r}: expected e.g. 500M or 10G")
    power = " KMGT".index((match.group(2) or " ").upper())
    return int(float(match.group(1)) * 1024**power)


def _row(env: EnvironmentVersion) -> dict[str, object]:
    return {
        "environment": env.ref,
        "python": env.spec.python or "",
        "packages": len(env.spec.requirements),
        "state": env.state,
        "size": fmt_size(env.size_bytes),
        "last_used": fmt_time(env.last_used_ms),
    }


@click.group("environment")
def environment() -> None:
    """Versioned Python environments, built once and cached (`inherit`: this Python)."""


@environment.command("create")
@click.argument("name")
@click.option("-r", "--requirements", "requirements", type=click.Path(dir_okay=False))
@click.option("-f", "--conda-file", type=click.Path(dir_okay=False), help="conda YAML (pip:).")
@click.option("-p", "--package", "packages", multiple=True, help="A requirement (repeatable).")
@click.option("--python", "python", help="major.minor of an interpreter on this machine.")
@click.option("--env", "env_vars", multiple=True, metavar="K=V", help="Variable (repeatable).")
@click.option("--index-url", "index_urls", multiple=True, help="Package index (repeatable).")
@json_option
def create(
    name: str,
    requirements: str | None,
    conda_file: str | None,
    packages: tuple[str, ...],
    python: str | None,
    env_vars: tuple[str, ...],
    index_urls: tuple[str, ...],
) -> None:
    """Register NAME (a new version only when the definition changed)."""
    reqs: list[str] = []
    if requirements:
        reqs += read_requirements(requirements)
    if conda_file:
        conda = read_conda_file(conda_file)
        reqs += conda.pip_packages
        python = python or conda.python_version
    reqs += list(packages)
    spec = EnvironmentSpec.build(reqs, python, index_urls, parse_pairs(env_vars, "--env"))
    if spec.python:  # a version not on this machine is refused now, not at first use
        from jupyter_mlws.environments.interpreters import find

        find(spec.python)
    env = environments.register(get_ctx().workspace(), name, spec)
    get_ctx().out.record(_row(env), data=env.to_dict())


@environment.command("list")
@click.argument("name", required=False)
@json_option
def list_environments(name: str | None) -> None:
    """Every version with its build state (or only NAME's versions)."""
    envs = environments.list_versions(get_ctx().workspace(), name)
    data = [e.to_dict() for e in envs] if get_ctx().json else None
    get_ctx().out.table([_row(e) for e in envs], COLUMNS, data=data)


@environment.command("show")
@click.argument("ref", metavar="NAME[:VERSION]")
@json_option
def show(ref: str) -> None:
    """Spec, lock, build state, size and last use of one version (default: latest)."""
    env = environments.get(get_ctx().workspace(), ref)
    cached = bool(env.lock_hash) and BuildCache().has(str(env.lock_hash))
    fields = {
        **_row(env),
        "requirements": list(env.spec.requirements),
        "env_vars": dict(env.spec.env_vars),
        "lock_hash": env.lock_hash or "",
        "cached_here": cached,
        "built": fmt_time(env.built_ms),
    }
    if env.error:
        fields["error"] = env.error
    get_ctx().out.record(fields, data={**env.to_dict(), "cached_here": cached})
    if env.lock and not get_ctx().json:
        get_ctx().out.text(env.lock.rstrip())


@environment.command("build")
@click.argument("ref", metavar="NAME[:VERSION]")
@json_option
def build(ref: str) -> None:
    """Build a version into this machine's cache now (runs would build it anyway)."""
    ws = get_ctx().workspace()
    quiet = get_ctx().json

    def log(text: str) -> None:
        if not quiet:
            click.echo(text, nl=False, err=True)

    env, built = environments.build(ws, ref, log)
    get_ctx().out.record({**_row(env), "path": str(built.path)}, data=env.to_dict())


@environment.command("delete")
@click.argument("ref", metavar="NAME[:VERSION]")
@json_option
def delete(ref: str) -> None:
    """Delete one version, or every version of NAME (cached builds go with `prune`)."""
    count = environments.delete(get_ctx().workspace(), ref)
    get_ctx().out.record({"deleted": ref, "versions": count})


@environment.command("prune")
@click.option("--days", type=float, help="Remove builds not used for this many days.")
@click.option("--max-size", help="Then remove the least recently used until under, e.g. 10G.")
@json_option
def prune(days: float | None, max_size: str | None) -> None:
    """Remove cached builds from this machine (a later run rebuilds from the lock)."""
    if days is None and max_size is None:
        raise InvalidParameterError("give --days N and/or --max-size SIZE")
    removed = BuildCache().prune(days, parse_size(max_size) if max_size else None)
    rows = [{"lock_hash": b.lock_hash[:12], "size": fmt_size(b.size_bytes)} for b in removed]
    get_ctx().out.table(rows, ["lock_hash", "size"], data=[b.lock_hash for b in removed])


@environment.command("dockerfile")
@click.argument("ref", metavar="NAME[:VERSION]")
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace an existing Dockerfile.")
@json_option
def dockerfile(ref: str, out_dir: str, force: bool) -> None:
    """Write a Docker build context of NAME[:VERSION] (its lock once built) to DIR."""
    env = environments.get(get_ctx().workspace(), ref)
    path = write_context(env, Path(out_dir), force=force)
    get_ctx().out.record({"environment": env.ref, "context": str(path)})


__all__ = ["Environment", "environment"]
