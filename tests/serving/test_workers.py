"""Several workers on one listening socket: a killed worker is replaced, others go on."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import httpx

from jupyter_mlws import Workspace
from jupyter_mlws.serving.runtime.listener import bind_listener

from .support import client, register_linear, wait_until


def test_the_shared_listener_gives_connections_tcp_nodelay() -> None:
    """uvicorn --workers loses TCP_NODELAY (a 40 ms stall per keep-alive request)."""
    sock = bind_listener("127.0.0.1", 0)
    assert sock.proto == socket.IPPROTO_TCP
    port = sock.getsockname()[1]
    nodelay: list[int] = []

    async def main() -> None:
        def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            conn = writer.get_extra_info("socket")
            nodelay.append(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accepted, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(200):
                if nodelay:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(main())
    assert nodelay == [1]


def _pinned_clients(ep_client: Callable[[], httpx.Client], workers: int) -> dict[int, httpx.Client]:
    """One keep-alive connection per worker, found by asking which process answers."""
    found: dict[int, httpx.Client] = {}
    extra: list[httpx.Client] = []
    for _ in range(200):
        if len(found) == workers:
            break
        http = ep_client()
        pid = http.post("/score", json={"pid": True}).json()["pid"]
        if pid in found:
            extra.append(http)
        else:
            found[pid] = http
    for http in extra:
        http.close()
    assert len(found) == workers, "the kernel never spread connections over both workers"
    return found


def test_a_killed_worker_is_restarted_and_other_requests_are_unaffected(
    ws: Workspace, source: Path, tmp_path: Path
) -> None:
    register_linear(ws, "linear", 0.0, tmp_path / "m")
    ep = ws.deploy("ep", ["linear"], source_dir=source, workers=2)
    key = ep.get_keys()["primary"]
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = _pinned_clients(lambda: client(ep, key, limits=limits), 2)
    victim, survivor = sorted(clients)
    results: list[int] = []
    stop = threading.Event()

    def keep_scoring() -> None:
        while not stop.is_set() and len(results) < 100_000:
            response = clients[survivor].post("/score", json={"pid": True})
            results.append(response.json()["pid"] if response.status_code == 200 else -1)

    thread = threading.Thread(target=keep_scoring)
    thread.start()
    try:
        wait_until(lambda: len(results) > 20)
        os.kill(victim, signal.SIGKILL)
        wait_until(
            lambda: victim not in (w := ep.status()["workers"]) and len(w) == 2, timeout_s=30
        )
        seen = len(results)
        wait_until(lambda: len(results) > seen + 20)
    finally:
        stop.set()
        thread.join(timeout=30)
        for http in clients.values():
            http.close()
    assert set(results) == {survivor}  # never an error, never a dropped connection
    status = ep.status()
    assert status["restarts"] == 1 and survivor in status["workers"]
    assert "was killed by SIGKILL; starting a new one" in ep.get_logs()
    new_pids = set()
    for _ in range(50):
        with client(ep, key) as http:
            new_pids.add(http.post("/score", json={"pid": True}).json()["pid"])
    assert victim not in new_pids
