"""IPython magics: ``%%run`` (a cell as a tracked run) and ``%mlws`` (the CLI's words).

``%load_ext jupyter_mlws`` registers them, and makes runs, experiments and run lists
display as live widgets in notebooks.
"""

from __future__ import annotations

from typing import Any

from jupyter_mlws.magics import display
from jupyter_mlws.magics.run_magics import MlwsMagics


def load_ipython_extension(shell: Any) -> None:
    MlwsMagics(shell).register()
    display.register_formatters(shell)


def unload_ipython_extension(shell: Any) -> None:
    display.unregister_formatters(shell)
    MlwsMagics(shell).unregister()


__all__ = ["MlwsMagics", "load_ipython_extension", "unload_ipython_extension"]
