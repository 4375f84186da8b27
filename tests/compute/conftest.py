"""Fixtures for compute tests: notebooks written with nbformat, and a real multi-process
Dask ``LocalCluster`` (2 single-thread workers) shared by a module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


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
