"""Object-storage fixtures: the same datastore/dataset suite runs on a local folder
(file://), on moto's S3 server and on Azurite, each a real server process on loopback."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from object_storage.servers import (
    AZURITE_ACCOUNT,
    AZURITE_KEY,
    S3_KEY,
    S3_SECRET,
    AzuriteServer,
    S3Server,
    StorageBackend,
    azurite_missing_reason,
)

from jupyter_mlws import Workspace
from jupyter_mlws.data import Datastore

_names = itertools.count()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server = S3Server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def azurite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AzuriteServer]:
    reason = azurite_missing_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so the Azure Blob tests must run: {reason}")
        pytest.skip(reason)
    server = AzuriteServer.start(tmp_path_factory.mktemp("azurite"))
    yield server
    server.stop()


@pytest.fixture(params=["file", "s3", "azure"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> StorageBackend:
    kind = request.param
    bucket = f"data-{next(_names)}-{os.getpid()}"
    if kind == "file":
        import fsspec

        root = tmp_path / "datastore-root"
        root.mkdir()
        return StorageBackend(
            kind,
            fsspec.filesystem("file"),
            str(root),
            lambda ws, name: Datastore.register(ws, name, root.as_uri()),
        )
    if kind == "s3":
        s3: S3Server = request.getfixturevalue("s3_server")
        s3.make_bucket(bucket)
        return StorageBackend(
            kind,
            s3.filesystem(),
            f"{bucket}/prefix",
            lambda ws, name: Datastore.register_s3(
                ws,
                name,
                bucket,
                prefix="prefix",
                access_key=S3_KEY,
                secret_key=S3_SECRET,
                endpoint_url=s3.endpoint,
                region="eu-west-1",
            ),
        )
    azurite: AzuriteServer = request.getfixturevalue("azurite_server")
    azurite.make_container(bucket)
    return StorageBackend(
        kind,
        azurite.filesystem(),
        bucket,
        lambda ws, name: Datastore.register_azure_blob_container(
            ws,
            name,
            container_name=bucket,
            account_name=AZURITE_ACCOUNT,
            account_key=AZURITE_KEY,
            blob_endpoint=azurite.blob_endpoint,
        ),
    )


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")
