"""fsspec filesystems for datastore URLs, with credentials resolved from the key vault.

Each object store's driver is an extra, imported only when a datastore of that kind is
used. Driver errors are translated into one-line errors that name the datastore.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from jupyter_mlws.exceptions import (
    InvalidParameterError,
    MissingExtraError,
    MlwsError,
    ResourceNotFoundError,
)

# protocol → (driver module, extra that installs it)
DRIVERS: dict[str, tuple[str, str]] = {
    "s3": ("s3fs", "s3"),
    "s3a": ("s3fs", "s3"),
    "az": ("adlfs", "azure"),
    "abfs": ("adlfs", "azure"),
    "abfss": ("adlfs", "azure"),
    "gs": ("gcsfs", "gcs"),
    "gcs": ("gcsfs", "gcs"),
}
LOCAL_PROTOCOLS = ("file", "local", "")

# Options that are credentials: given in clear, they go to the key vault and only a
# reference {"secret": NAME} is stored.
CREDENTIAL_OPTIONS = frozenset(
    {
        "key",
        "secret",
        "token",
        "password",
        "account_key",
        "sas_token",
        "connection_string",
        "client_secret",
        "credentials",
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
    }
)
# Ours, not the driver's: turned into driver options by ``driver_options``.
BLOB_ENDPOINT = "blob_endpoint"

T = TypeVar("T")


def protocol_of(url: str) -> str:
    scheme = urlsplit(url).scheme.lower()
    return "" if len(scheme) == 1 else scheme  # a Windows drive letter is no scheme


def require_driver(url: str) -> None:
    driver = DRIVERS.get(protocol_of(url))
    if driver and importlib.util.find_spec(driver[0]) is None:
        raise MissingExtraError(driver[0], driver[1])


def open_filesystem(url: str, options: Mapping[str, Any]) -> tuple[Any, str]:
    """``(fsspec filesystem, root path)`` for a datastore URL and its resolved options."""
    import fsspec

    require_driver(url)
    try:
        fs, root = fsspec.core.url_to_fs(url, **driver_options(url, options))
    except (ValueError, TypeError) as exc:
        raise InvalidParameterError(f"cannot open {url!r}: {_one_line(exc)}") from None
    return fs, str(root).rstrip("/")


def driver_options(url: str, options: Mapping[str, Any]) -> dict[str, Any]:
    opts = dict(options)
    endpoint = opts.pop(BLOB_ENDPOINT, None)
    if endpoint and protocol_of(url) in ("az", "abfs", "abfss"):
        # A custom Blob endpoint (Azurite, sovereign clouds) needs a connection string.
        scheme = urlsplit(str(endpoint)).scheme or "https"
        parts = [
            f"DefaultEndpointsProtocol={scheme}",
            f"AccountName={opts.pop('account_name', '')}",
        ]
        if opts.get("account_key"):
            parts.append(f"AccountKey={opts.pop('account_key')}")
        if opts.get("sas_token"):
            parts.append(f"SharedAccessSignature={opts.pop('sas_token').lstrip('?')}")
        parts.append(f"BlobEndpoint={endpoint}")
        opts["connection_string"] = ";".join(parts) + ";"
    if protocol_of(url) in ("s3", "s3a"):
        endpoint_url = opts.pop("endpoint_url", None)
        region = opts.pop("region", None)
        if endpoint_url or region:
            client_kwargs = dict(opts.pop("client_kwargs", None) or {})
            if endpoint_url:
                client_kwargs["endpoint_url"] = endpoint_url
            if region:
                client_kwargs["region_name"] = region
            opts["client_kwargs"] = client_kwargs
    return opts


def translated(what: str, call: Callable[[], T]) -> T:
    """Run a storage call; its failure becomes a one-line error naming ``what``."""
    try:
        return call()
    except MlwsError:
        raise
    except FileNotFoundError as exc:
        raise ResourceNotFoundError(f"{what}: not found ({_one_line(exc)})") from None
    except PermissionError as exc:
        raise InvalidParameterError(
            f"{what}: access denied, check the datastore's credentials ({_one_line(exc)})"
        ) from None
    except OSError as exc:
        raise InvalidParameterError(f"{what}: {_one_line(exc)}") from None
    except Exception as exc:  # driver-specific (botocore, azure-core) errors
        text = _one_line(exc)
        if any(s in text for s in ("NoSuchBucket", "ContainerNotFound", "does not exist")):
            raise ResourceNotFoundError(f"{what}: not found ({text})") from None
        if any(
            s in text
            for s in (
                "InvalidAccessKeyId",
                "SignatureDoesNotMatch",
                "AuthenticationFailed",
                "AuthorizationFailure",
                "failed to authenticate",
            )
        ):
            raise InvalidParameterError(
                f"{what}: access denied, check the datastore's credentials ({text})"
            ) from None
        raise InvalidParameterError(f"{what}: {type(exc).__name__}: {text}") from None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
