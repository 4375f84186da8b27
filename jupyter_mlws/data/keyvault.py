"""The workspace key vault: secrets encrypted at rest, with the key kept outside the DB.

Values are Fernet tokens (AES-128-CBC + HMAC-SHA256, from ``cryptography``). The key is
``MLWS_SECRET_KEY`` when set (a team workspace: every member and runner gets it from
their own environment), else a 0600 file ``secret.key`` in the workspace folder,
created on first use (a personal workspace on one machine). A team workspace (a
database that is not a local SQLite file) refuses to invent a key file, since no other
member could read what it encrypted.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_mlws.exceptions import (
    InvalidParameterError,
    MissingExtraError,
    WorkspaceError,
)
from jupyter_mlws.tracking.run_data import secret_env_name

if TYPE_CHECKING:
    from jupyter_mlws.tracking import Workspace

__all__ = ["KeyVault", "new_key", "secret_env_name", "validate_secret_name"]

ENV_SECRET_KEY = "MLWS_SECRET_KEY"
KEY_FILENAME = "secret.key"
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def validate_secret_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise InvalidParameterError(
            f"invalid secret name {name!r}: use 1-128 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit"
        )
    return name


def new_key() -> str:
    """A fresh key for ``MLWS_SECRET_KEY``."""
    return _fernet_module().Fernet.generate_key().decode("ascii")


def _fernet_module() -> Any:
    try:
        import cryptography.fernet as fernet
    except ModuleNotFoundError:
        raise MissingExtraError("cryptography", "data") from None
    return fernet


class KeyVault:
    """``ws.get_default_keyvault()``: set, get, list and delete secrets by name."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._fernet: Any = None

    # ---- the Azure ML names -------------------------------------------------------------
    def set_secret(self, name: str, value: str) -> None:
        validate_secret_name(name)
        if not isinstance(value, str) or value == "":
            raise InvalidParameterError(f"secret {name!r} needs a non-empty string value")
        token = self._cipher(create=True).encrypt(value.encode("utf-8"))
        self.ws.store.put_secret(name, token)

    def set_secrets(self, secrets: dict[str, str]) -> None:
        for name, value in secrets.items():
            self.set_secret(name, value)

    def get_secret(self, name: str) -> str:
        validate_secret_name(name)
        token = self.ws.store.get_secret_ciphertext(name)
        fernet = _fernet_module()
        try:
            return str(self._cipher(create=False).decrypt(token).decode("utf-8"))
        except fernet.InvalidToken:
            raise WorkspaceError(
                f"secret {name!r} cannot be decrypted with this key: {ENV_SECRET_KEY} (or "
                f"{KEY_FILENAME} in the workspace) is not the key it was set with"
            ) from None

    def get_secrets(self, names: list[str]) -> dict[str, str]:
        return {name: self.get_secret(name) for name in names}

    def list_secrets(self) -> list[dict[str, Any]]:
        """Names and times only: values are never listed."""
        return self.ws.store.list_secrets()

    def delete_secret(self, name: str) -> None:
        self.ws.store.delete_secret(validate_secret_name(name))

    # ---- the key ------------------------------------------------------------------------
    def _cipher(self, create: bool) -> Any:
        if self._fernet is None:
            fernet = _fernet_module()
            try:
                self._fernet = fernet.Fernet(self._key(create))
            except ValueError:
                raise WorkspaceError(
                    f"{ENV_SECRET_KEY} is not a valid key (32 url-safe base64-encoded bytes); "
                    "make one with `mlws secret new-key`"
                ) from None
        return self._fernet

    def _key(self, create: bool) -> bytes:
        env = os.environ.get(ENV_SECRET_KEY)
        if env:
            return env.encode("ascii", errors="replace")
        path = self.ws.root / KEY_FILENAME
        if path.is_file():
            return _read_key_file(path)
        if not self.ws.db_url.startswith("sqlite"):
            raise WorkspaceError(
                f"this is a team workspace: set {ENV_SECRET_KEY} (the same for every member "
                "and runner; make one with `mlws secret new-key`) to use its key vault"
            )
        if not create:
            raise WorkspaceError(
                f"no key to decrypt secrets: set {ENV_SECRET_KEY} or restore "
                f"{path} (the key the secrets were set with)"
            )
        return _create_key_file(path)


def _read_key_file(path: Path) -> bytes:
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise WorkspaceError(
            f"{path} is readable by other users; restrict it first: chmod 600 {path}"
        )
    return path.read_bytes().strip()


def _create_key_file(path: Path) -> bytes:
    key = new_key().encode("ascii")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return _read_key_file(path)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    return key


def read_secret(ws: Workspace, name: str) -> str:
    """A secret's value, for capabilities that find the key vault by name (compute's
    Dask Gateway password)."""
    return KeyVault(ws).get_secret(name)
