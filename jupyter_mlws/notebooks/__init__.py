"""Notebooks: papermill execution, parameter inspection and warm kernels.

Papermill, nbclient and jupyter_client are imported lazily, inside the functions that
need them, so that importing this package costs nothing and a missing ``notebook``
extra fails with a message naming it.
"""

from jupyter_mlws.notebooks.parameters import (
    NotebookParameter,
    applied_parameters,
    inspect_parameters,
)

__all__ = ["NotebookParameter", "applied_parameters", "inspect_parameters"]
