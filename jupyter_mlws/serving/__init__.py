"""Endpoints: scoring services started from registered models and a ``score.py``.

Never imports ``jupyter_mlws.server``, jupyter_server or tornado: an endpoint runs in
its own process, independent of the kernel and of the Jupyter server.
"""

from jupyter_mlws.serving.endpoint import Endpoint
from jupyter_mlws.serving.errors import (
    EndpointInvokeError,
    EndpointStartError,
    EndpointUnavailableError,
    PortInUseError,
)
from jupyter_mlws.serving.lifecycle import Deployment

__all__ = [
    "Deployment",
    "Endpoint",
    "EndpointInvokeError",
    "EndpointStartError",
    "EndpointUnavailableError",
    "PortInUseError",
]
