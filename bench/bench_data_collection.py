"""What model data collection costs: the same endpoint with and without it, in one run.

    python bench/bench_data_collection.py [--duration 5] [--rounds 3] [--workers 2]
                                          [--connections 16]

Two endpoints of the same small numpy model and ``score.py``, both on 127.0.0.1 with the
same workers: one plain, one deployed with ``collect_data=True`` at a sampling rate of 1
(every request's input and output goes to the default datastore). They are measured in
alternation (ABBA, ``--rounds`` times) with the same load: 16 keep-alive clients, each
sending the next request as soon as the last is answered; the median round of each is
reported, so that a busy machine slows both alike. Then the collecting endpoint is
stopped (a graceful stop writes what is still queued) and the records in the datastore
are counted against the requests it answered, with the drops of a full queue.
Target: collection costs <= 10 % of the throughput (ratio >= 0.90).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from _common import report

from jupyter_mlws import Workspace
from jupyter_mlws.serving import Endpoint

BODY = b'{"inputs": [[5.1, 3.5, 1.4, 0.2]]}'
SCORE_PY = """
import os

import numpy as np


def init():
    global w, b
    model = np.load(os.path.join(os.environ["MLWS_MODEL_DIR"], "model.npz"))
    w, b = model["w"], float(model["b"])


def run(data):
    x = np.asarray(data["inputs"], dtype=float)
    return {"predictions": (1 / (1 + np.exp(-(x @ w + b)))).tolist()}
"""


async def _client(url: httpx.URL, key: str, deadline: float, answered: list[int]) -> None:
    """One keep-alive connection, one request after another until ``deadline``."""
    host, port = url.host, url.port or 80
    request = (
        f"POST {url.path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: application/json\r\nAuthorization: Bearer {key}\r\n"
        f"Content-Length: {len(BODY)}\r\n\r\n"
    ).encode() + BODY
    reader, writer = await asyncio.open_connection(host, port)
    ok = failed = 0
    try:
        while time.perf_counter() < deadline:
            writer.write(request)
            status = await reader.readuntil(b"\r\n")
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length: (\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)
            if b" 200 " in status:
                ok += 1
            else:
                failed += 1
    finally:
        writer.close()
    answered.append(ok)
    if failed:
        raise RuntimeError(f"{failed} request(s) were not answered 200")


def load(endpoint: Endpoint, connections: int, duration: float) -> tuple[float, int]:
    """Requests/s over ``duration`` with ``connections`` clients, and the requests."""
    answered: list[int] = []

    async def main() -> None:
        deadline = time.perf_counter() + duration
        url = httpx.URL(endpoint.scoring_uri)
        key = endpoint.get_keys()["primary"]
        await asyncio.gather(*(_client(url, key, deadline, answered) for _ in range(connections)))

    started = time.perf_counter()
    asyncio.run(main())
    return sum(answered) / (time.perf_counter() - started), sum(answered)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ws = Workspace.init(folder / "proj")
        np.savez(folder / "model.npz", w=np.array([0.4, -0.2, 0.3, 0.1]), b=-0.5)
        ws.register_model("iris", folder / "model.npz")
        (folder / "src").mkdir()
        (folder / "src" / "score.py").write_text(SCORE_PY)
        common = {"source_dir": folder / "src", "workers": args.workers}
        plain = ws.deploy("plain", ["iris"], **common)
        collecting = ws.deploy("collecting", ["iris"], collect_data=True, **common)
        try:
            for endpoint in (plain, collecting):  # warm-up
                load(endpoint, args.connections, 1.0)
            rates: dict[str, list[float]] = {"plain": [], "collecting": []}
            for round_number in range(args.rounds):
                order = [plain, collecting] if round_number % 2 == 0 else [collecting, plain]
                for endpoint in order:
                    rate, _ = load(endpoint, args.connections, args.duration)
                    rates[endpoint.name].append(rate)
                    print(f"round {round_number + 1}: {endpoint.name:<10} {rate:8.0f} req/s")
            stats = collecting.request_stats("1h")
            counts = stats.collection or {}
            sent = stats.requests
            collecting.stop()  # a graceful stop: the queue is written
            records = len(collecting.collected_records("1h"))
        finally:
            for endpoint in (plain, collecting):
                endpoint.delete()
    base = statistics.median(rates["plain"])
    with_collection = statistics.median(rates["collecting"])
    ratio = with_collection / base
    print()
    report(
        [
            (
                f"req/s, {args.connections} clients, {args.workers} workers",
                f"{with_collection:.0f} (100% collected)",
                f"{base:.0f} (no collection)",
                f"{ratio:.3f} (target >= 0.90: {'ok' if ratio >= 0.90 else 'MISSED'})",
            ),
            (
                "records in the datastore",
                f"{records}",
                f"{sent} answered (warm-up included)",
                f"dropped (queue full): {counts.get('dropped', 0)}, "
                f"failed writes: {counts.get('failed', 0)}",
            ),
        ]
    )


if __name__ == "__main__":
    main()
