"""Starting processes in a build: the environment variables, and a kernelspec.

A process in a build sees the build's packages first, then (``$MLWS_HOST_PATH``) the
host's jupyter-mlws and, when the python versions match, the host's site-packages as a
fallback: the scoring runtime and ``Run.get_context()`` work without installing
jupyter-mlws into every environment.
"""

from __future__ import annotations

import hashlib
import json
import os
import site
from pathlib import Path

from jupyter_mlws.environments import interpreters
from jupyter_mlws.environments.build import ENV_HOST_PATH, Build
from jupyter_mlws.environments.cache import BuildCache
from jupyter_mlws.environments.spec import EnvironmentSpec

KERNEL_NAME = "mlws-env"  # the kernel a notebook run in an environment uses
_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # jupyter_mlws/


def host_path(build: Build, cache: BuildCache) -> str:
    if build.lock.python == interpreters.host_version():
        paths = [str(_PACKAGE_DIR.parent), *site.getsitepackages()]
        if site.ENABLE_USER_SITE:
            paths.append(site.getusersitepackages())
    else:  # compiled host packages would not load: only jupyter-mlws (pure Python)
        layer = cache.root / ".host" / hashlib.sha256(str(_PACKAGE_DIR).encode()).hexdigest()[:16]
        link = layer / _PACKAGE_DIR.name
        if not link.exists():
            layer.mkdir(parents=True, exist_ok=True)
            tmp = layer / f".{os.getpid()}"
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(_PACKAGE_DIR, target_is_directory=True)
            os.replace(tmp, link)
        paths = [str(layer)]
    return os.pathsep.join(dict.fromkeys(paths))


def process_env(build: Build, spec: EnvironmentSpec, cache: BuildCache) -> dict[str, str]:
    """What to add to a process's environment so that it runs in the build."""
    bin_dir = str(build.python.parent)
    return {
        "VIRTUAL_ENV": str(build.path),
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        ENV_HOST_PATH: host_path(build, cache),
        **spec.env_vars,
    }


def kernel_dir(build: Build, spec: EnvironmentSpec, cache: BuildCache) -> Path:
    """A ``JUPYTER_PATH`` entry whose ``kernels/mlws-env`` starts the build's python.

    The spec's variables are in the kernelspec (not only the run's environment) because
    a warm kernel is started before its run: ``OMP_NUM_THREADS`` must be set before
    numpy is imported. Folders are keyed by content, so they are written once."""
    kernel = {
        "argv": [str(build.python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"Python (mlws {build.lock.hash[:12]})",
        "language": "python",
        "env": {ENV_HOST_PATH: host_path(build, cache), **spec.env_vars},
        "metadata": {"debugger": False},
    }
    text = json.dumps(kernel, indent=1, sort_keys=True)
    folder = cache.root / ".kernels" / hashlib.sha256(text.encode()).hexdigest()[:20]
    spec_file = folder / "kernels" / KERNEL_NAME / "kernel.json"
    if not spec_file.is_file():
        spec_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = spec_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, spec_file)
    return folder
