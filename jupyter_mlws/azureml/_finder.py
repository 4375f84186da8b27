"""The import alias: ``azureml.X`` is the module ``jupyter_mlws.azureml.X`` itself.

A meta-path finder ahead of the standard ones answers for ``azureml`` and its
submodules with a loader that hands back the already-imported adapter module, so
``azureml.core.Run is jupyter_mlws.azureml.core.Run``: one object, two names, no copy.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

ALIAS = "azureml"
TARGET = "jupyter_mlws.azureml"


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target
        self.own_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.own_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # The import system stamped the alias spec on the module; give it back its own,
        # so that its relative imports and reloads keep working.
        if self.own_spec is not None:
            module.__spec__ = self.own_spec


class AliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != ALIAS and not fullname.startswith(ALIAS + "."):
            return None
        real = TARGET + fullname[len(ALIAS) :]
        if real.split(".")[-1].startswith("_") or real.startswith(TARGET + ".shim"):
            return None  # private modules and the shim are no part of the v1 surface
        try:
            found = importlib.util.find_spec(real)
        except ModuleNotFoundError:
            return None
        if found is None:
            return None
        return importlib.machinery.ModuleSpec(
            fullname,
            _AliasLoader(real),
            is_package=found.submodule_search_locations is not None,
        )


def install() -> None:
    if any(isinstance(f, AliasFinder) for f in sys.meta_path):
        return
    # A shim ``azureml`` package imported before us is replaced by the alias.
    shim = sys.modules.get(ALIAS)
    if shim is not None and getattr(shim, "__mlws_shim__", False):
        del sys.modules[ALIAS]
    sys.meta_path.insert(0, AliasFinder())
