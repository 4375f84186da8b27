"""Checking the port an endpoint is asked to listen on."""

from __future__ import annotations

from jupyter_mlws.serving.errors import PortInUseError
from jupyter_mlws.serving.runtime.listener import PortInUseError as BindInUse
from jupyter_mlws.serving.runtime.listener import bind_listener


def ensure_free(bind: str, port: int) -> None:
    """Fail now, with a clear message, rather than after the service has started."""
    try:
        bind_listener(bind, port).close()
    except BindInUse:
        raise PortInUseError(bind, port) from None
