"""Fixtures for compute tests: notebooks written with nbformat, and a real multi-process
Dask ``LocalCluster`` (2 single-thread workers) shared by a module."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:  # so that tests here can import compute_helpers
    sys.path.insert(0, _HERE)

from compute_helpers import write_notebook  # noqa: E402


@pytest.fixture
def notebook(tmp_path: Path) -> Callable[..., Path]:
    def make(parameters: str | None, *cells: str, name: str = "nb.ipynb") -> Path:
        return write_notebook(tmp_path / "src" / name, parameters, cells)

    return make


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[object]:
    """A plain 2-worker LocalCluster with processes, as a user's scheduler would be (the
    first submission installs the warm pool plugin)."""
    from distributed import Client, LocalCluster

    from jupyter_mlws.compute.dask_target import close_clients

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1"
    )
    client = Client(cluster, set_as_default=False)
    yield client
    close_clients()
    client.close()
    cluster.close()
