"""Real object-storage API servers on loopback for the tests: moto's standalone S3 server
and Azurite's Blob server, each a separate process on a port chosen free at runtime.

Azurite comes from the npm registry (tests/object_storage/package.json, installed by
.ci/run); without it (and outside CI) the Azure tests are skipped with the install line.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
AZURITE_BIN = HERE / "node_modules" / ".bin" / "azurite-blob"
# Azurite's well-known development account (public, documented by Microsoft).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
S3_KEY, S3_SECRET = "testing-key", "testing-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_file(name: str) -> Any:
    # A file, not a pipe: a server's request log would fill an unread pipe and block it.
    import tempfile

    return tempfile.NamedTemporaryFile(prefix=f"mlws-{name}-", suffix=".log", delete=False)


def _wait_http(url: str, proc: subprocess.Popen[bytes], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} (log: {proc.args})")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answered (an error status is still an answer)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer at {url} in {timeout} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class S3Server:
    endpoint: str
    proc: subprocess.Popen[bytes]

    @classmethod
    def start(cls, enforce_auth: bool = False) -> S3Server:
        """``enforce_auth``: every request must be signed with a key moto's IAM knows
        (none exists), so any credentials are wrong."""
        auth = {"INITIAL_NO_AUTH_ACTION_COUNT": "0"} if enforce_auth else {}
        port = free_port()
        log = _log_file("moto")
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "1", **auth},
        )
        log.close()
        endpoint = f"http://127.0.0.1:{port}"
        _wait_http(endpoint + "/moto-api/", proc, "moto S3 server")
        return cls(endpoint, proc)

    def stop(self) -> None:
        _stop(self.proc)

    def filesystem(self, key: str = S3_KEY, secret: str = S3_SECRET):  # type: ignore[no-untyped-def]
        import s3fs

        return s3fs.S3FileSystem(
            key=key,
            secret=secret,
            client_kwargs={"endpoint_url": self.endpoint, "region_name": "eu-west-1"},
            skip_instance_cache=True,
        )

    def make_bucket(self, name: str) -> None:
        self.filesystem().mkdir(name)


def azurite_missing_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (apt-get install nodejs npm)"
    if not AZURITE_BIN.exists():
        return f"Azurite is not installed: npm install --prefix {HERE}"
    return None


@dataclass
class AzuriteServer:
    blob_endpoint: str
    proc: subprocess.Popen[bytes]

    @classmethod
    def start(cls, location: Path) -> AzuriteServer:
        port = free_port()
        log = _log_file("azurite")
        proc = subprocess.Popen(
            [
                str(AZURITE_BIN),
                "--blobHost",
                "127.0.0.1",
                "--blobPort",
                str(port),
                "--location",
                str(location),
                "--silent",
                "--skipApiVersionCheck",
                "--loose",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        endpoint = f"http://127.0.0.1:{port}/{AZURITE_ACCOUNT}"
        _wait_http(endpoint + "?comp=list", proc, "Azurite")
        return cls(endpoint, proc)

    def stop(self) -> None:
        _stop(self.proc)

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
            f"AccountKey={AZURITE_KEY};BlobEndpoint={self.blob_endpoint};"
        )

    def filesystem(self):  # type: ignore[no-untyped-def]
        import adlfs

        return adlfs.AzureBlobFileSystem(
            connection_string=self.connection_string, skip_instance_cache=True
        )

    def make_container(self, name: str) -> None:
        self.filesystem().mkdir(name)


@dataclass
class StorageBackend:
    """One place a datastore can point at, plus raw access to change data behind it."""

    kind: str
    fs: Any  # an fsspec filesystem with full access
    root: str  # the datastore's root on ``fs``
    register: Any  # (ws, name) -> Datastore

    def write(self, path: str, data: bytes) -> None:
        full = f"{self.root}/{path}"
        if self.kind == "file":
            Path(full).parent.mkdir(parents=True, exist_ok=True)
        self.fs.pipe_file(full, data)
        self.fs.invalidate_cache()

    def remove(self, path: str) -> None:
        self.fs.rm_file(f"{self.root}/{path}")
        self.fs.invalidate_cache()
