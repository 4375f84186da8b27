# The jupyter-mlws Azure ML SDK v1 shim: on PYTHONPATH (set by `import jupyter_mlws.azureml`
# and by the job runner for MLWS_AZUREML=1), the first `import azureml…` turns the
# compatibility layer on and this package is replaced by it. With the real azureml-core
# installed it steps aside: `azureml` becomes the real namespace package again.
import importlib.metadata as _metadata
import sys as _sys

__mlws_shim__ = True

try:
    _metadata.version("azureml-core")
except _metadata.PackageNotFoundError:
    import jupyter_mlws.azureml as _layer  # installs the alias and replaces this module

    _sys.modules[__name__] = _layer
else:
    import pkgutil as _pkgutil

    __path__ = [p for p in _pkgutil.extend_path(__path__, __name__) if p not in __path__]
