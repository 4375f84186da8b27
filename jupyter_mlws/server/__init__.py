"""The Jupyter server extension ``mlws``: REST API under ``/mlws/api/v1/`` and the
JupyterLab extension's static files (a front door: handlers translate HTTP into L2 calls).
"""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from jupyter_mlws.server.app import MlwsApp

    return [{"module": "jupyter_mlws.server", "app": MlwsApp}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "../labextension", "dest": "jupyter-mlws"}]
