"""Each extra's packages are imported only where that extra is used: the front doors load
with the packages of a plain install plus their own extra (what ``.ci/wheel-check`` met
when the server extension imported orjson, a ``serving`` package)."""

from __future__ import annotations

import subprocess
import sys

import pytest

# packages of extras a front door must not need
OTHER_EXTRAS = (
    "orjson", "starlette", "uvicorn", "httpx", "prometheus_client",  # serving
    "dask", "distributed",  # dask
    "pyarrow", "pandas",  # data
    "s3fs", "adlfs",  # s3, azure
    "croniter",  # pipelines
)  # fmt: skip

BLOCK = """
import sys
for name in {names!r}:
    sys.modules[name] = None  # an import of it raises ImportError, as if not installed
import importlib
importlib.import_module({module!r})
"""


@pytest.mark.parametrize(
    "module",
    ["jupyter_mlws.server", "jupyter_mlws.cli", "jupyter_mlws.magics", "jupyter_mlws"],
)
def test_front_doors_load_without_other_extras(module: str) -> None:
    code = BLOCK.format(names=sorted(OTHER_EXTRAS), module=module)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
