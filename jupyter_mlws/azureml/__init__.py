"""Azure ML SDK v1 compatibility: ``import jupyter_mlws.azureml`` and v1 code runs as written.

The opt-in installs an import alias (``_finder``) so that ``azureml.core``,
``azureml.core.model``, ``azureml.train.hyperdrive``, ``azureml.widgets``, … resolve to
the modules of this package, which are thin adapters over the native SDK. It refuses,
and changes nothing, when the real ``azureml-core`` is installed.

Processes started from an opted-in process (submitted runs, endpoints, kernels) get the
layer through ``MLWS_AZUREML=1`` and the ``shim/`` folder on ``PYTHONPATH``: the shim is
a one-file ``azureml`` package that installs the alias when first imported, so a
training script or ``score.py`` that says ``from azureml.core import Run`` needs no
edit, no ``sitecustomize`` and no ``.pth`` file (see ``opt_in``).
"""

from __future__ import annotations

from jupyter_mlws.azureml.opt_in import ENV_FLAG, SHIM_DIR, install, is_active, real_sdk_installed

__all__ = ["ENV_FLAG", "SHIM_DIR", "install", "is_active", "real_sdk_installed"]

install()
