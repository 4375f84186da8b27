"""The listening socket every worker shares, made so that TCP_NODELAY applies.

``uvicorn --workers`` binds with ``proto=0``; asyncio sets ``TCP_NODELAY`` only on
sockets whose ``proto`` is ``IPPROTO_TCP``, so every keep-alive request after the first
then waits ~40 ms for Nagle + delayed ACK (uvicorn#3149). Making the socket with
``IPPROTO_TCP`` once, before the workers are forked, avoids it.
"""

from __future__ import annotations

import errno
import socket

BACKLOG = 2048


class PortInUseError(OSError):
    pass


def bind_listener(bind: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((bind, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(exc.errno, f"port {port} on {bind} is already in use") from None
        raise
    sock.set_inheritable(True)
    return sock
