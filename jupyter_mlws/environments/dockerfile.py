"""A Docker build context of an environment version: what Azure would have built.

The locked requirements when the version has been built (the image then has exactly
the packages runs used), else its requirements; its variables as ``ENV`` lines.
"""

from __future__ import annotations

import json
from pathlib import Path

from jupyter_mlws.environments import interpreters
from jupyter_mlws.environments.lock import Lock
from jupyter_mlws.environments.registry import EnvironmentVersion
from jupyter_mlws.exceptions import ResourceAlreadyExistsError


def write_context(env: EnvironmentVersion, out_dir: Path, force: bool = False) -> Path:
    dockerfile = out_dir / "Dockerfile"
    if dockerfile.exists() and not force:
        raise ResourceAlreadyExistsError(
            f"{str(dockerfile)!r} exists; replace it with force=True (--force on the CLI)"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    python = env.spec.python or interpreters.host_version()
    if env.lock is not None:
        requirements = "\n".join(Lock.parse(env.lock).packages) + "\n"
        install = "pip install --no-cache-dir --no-deps -r /tmp/requirements.txt"
    else:
        requirements = "\n".join(env.spec.requirements) + "\n"
        install = "pip install --no-cache-dir -r /tmp/requirements.txt"
    index = ""
    if env.spec.index_urls:
        first, *rest = env.spec.index_urls
        index = f" --index-url {first}" + "".join(f" --extra-index-url {u}" for u in rest)
    # A v1 environment's docker settings: its Dockerfile is the start of ours, or its
    # base image is our FROM (the image must have python and pip).
    base_image = env.spec.docker.get("base_image") or f"python:{python}-slim"
    base_dockerfile = env.spec.docker.get("base_dockerfile")
    start = base_dockerfile.rstrip("\n") if base_dockerfile else f"FROM {base_image}"
    lines = [
        f"# environment {env.ref}" + (f", lock {env.lock_hash}" if env.lock_hash else ""),
        start,
        "COPY requirements.txt /tmp/requirements.txt",
        f"RUN {install}{index}",
        *(f"ENV {k}={json.dumps(v)}" for k, v in sorted(env.spec.env_vars.items())),
        "WORKDIR /app",
    ]
    (out_dir / "requirements.txt").write_text(requirements, encoding="utf-8")
    (out_dir / "environment.json").write_text(
        json.dumps(env.to_dict(), indent=1) + "\n", encoding="utf-8"
    )
    dockerfile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out_dir
