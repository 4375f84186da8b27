"""Serving speed against ``mlflow models serve``, side by side in one run.

    python bench/bench_serving.py [--model sklearn|numpy] [--duration 5] [--rounds 3]
                                  [--soak 20000]

One small model (scikit-learn logistic regression on Iris, or the same kind of model in
plain numpy: the demo's), one JSON body, every server on
127.0.0.1: our endpoint with 2 workers, and MLflow's scoring server with 1 and with 2
workers. All three run at once and are measured in alternation, ``--rounds`` times,
with the same load client (``wrk -t2 -c16`` when installed, else a bounded asyncio
keep-alive client); the median round of each is reported, so that a busy machine
slows all of them alike. Besides requests/s and p50 it prints the servers' own CPU
time per request, which depends far less on what else the machine is doing. Then a
soak: N requests over 16 keep-alive connections, which must all succeed.

Slow-client isolation: a second endpoint of ours, the same model and workers with a
0.5 s timeout, whose ``run()`` sleeps 2 s when asked to. Its good-request throughput
with 16 good clients is measured in alternation with 14 good clients beside 2 slow
ones (each sending the sleeping request again as soon as it gets its 504): the
ratio of the two medians must stay >= 0.8.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import pickle
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
from _common import report

from jupyter_mlws import Workspace

BODY = b'{"inputs": [[5.1, 3.5, 1.4, 0.2]]}'
SKLEARN_SCORE_PY = """
import os
import pickle
import time

import numpy as np


def init():
    global model
    with open(os.path.join(os.environ["MLWS_MODEL_DIR"], "model.pkl"), "rb") as f:
        model = pickle.load(f)


def run(data):
    if "sleep" in data:  # the slow client of the isolation measurement
        time.sleep(data["sleep"])
        return {}
    return {"predictions": model.predict_proba(np.asarray(data["inputs"])).tolist()}
"""
NUMPY_SCORE_PY = """
import os
import time

import numpy as np


def init():
    global w, b
    model = np.load(os.path.join(os.environ["MLWS_MODEL_DIR"], "model.npz"))
    w, b = model["w"], float(model["b"])


def run(data):
    if "sleep" in data:  # the slow client of the isolation measurement
        time.sleep(data["sleep"])
        return {}
    x = np.asarray(data["inputs"], dtype=float)
    return {"predictions": (1 / (1 + np.exp(-(x @ w + b)))).tolist()}
"""


def numpy_pyfunc() -> object:
    """The numpy model for MLflow, as a pyfunc doing the same arithmetic."""
    import mlflow.pyfunc
    import numpy as np

    class NumpyLogistic(mlflow.pyfunc.PythonModel):  # type: ignore[misc]
        def load_context(self, context: object) -> None:
            model = np.load(context.artifacts["model"])  # type: ignore[attr-defined]
            self.w, self.b = model["w"], float(model["b"])

        def predict(self, context: object, model_input: object, params: object = None) -> object:
            x = np.asarray(model_input, dtype=float)
            return 1 / (1 + np.exp(-(x @ self.w + self.b)))

    return NumpyLogistic()


@dataclass
class Load:
    requests_per_s: float
    p50_ms: float
    requests: int
    failures: int
    tool: str
    cpu_us_per_request: float = float("nan")


@dataclass
class Server:
    name: str
    url: str
    headers: dict[str, str]
    pids: Callable[[], list[int]]


# ---- load clients -------------------------------------------------------------------


def wrk_load(url: str, headers: dict[str, str], duration: int, connections: int) -> Load:
    folder = Path(tempfile.mkdtemp())
    script = folder / "post.lua"
    lines = ['wrk.method = "POST"', f"wrk.body = '{BODY.decode()}'"]
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    script.write_text("\n".join(lines) + "\n")
    try:
        argv = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
        out = subprocess.run(
            [*argv, "-s", str(script), url],
            capture_output=True,
            text=True,
            timeout=duration + 60,
            check=True,
        ).stdout
    finally:
        shutil.rmtree(folder)
    rate = float(_find(r"Requests/sec:\s+([\d.]+)", out)[0])
    value, unit = _find(r"50%\s+([\d.]+)(us|ms|s)\b", out)
    p50 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    total = int(_find(r"(\d+) requests in", out)[0])
    failures = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    failures += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Load(rate, p50, total, failures, f"wrk -t2 -c{connections} -d{duration}s")


def _find(pattern: str, text: str) -> tuple[str, ...]:
    match = re.search(pattern, text)
    if match is None:
        raise RuntimeError(f"unexpected wrk output:\n{text}")
    return match.groups()


async def _keep_alive_client(
    url: httpx.URL, headers: dict[str, str], count: int, latencies: list[float], failures: list[str]
) -> None:
    """One keep-alive HTTP/1.1 connection sending ``count`` requests one after another."""
    host, port = url.host, url.port or 80
    head = f"POST {url.path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (head + f"Content-Length: {len(BODY)}\r\n\r\n").encode() + BODY
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(count):
            started = time.perf_counter()
            try:
                writer.write(request)
                status_line = await reader.readuntil(b"\r\n")
                head_bytes = await reader.readuntil(b"\r\n\r\n")
                length = re.search(rb"(?i)content-length: (\d+)", head_bytes)
                body = await reader.readexactly(int(length.group(1)) if length else 0)
            except (OSError, asyncio.IncompleteReadError) as exc:
                failures.append(type(exc).__name__)
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            latencies.append(time.perf_counter() - started)
            if b" 200 " not in status_line or b"predictions" not in body:
                failures.append(status_line.decode().strip())
    finally:
        writer.close()


def asyncio_load(url: str, headers: dict[str, str], total: int, connections: int) -> Load:
    latencies: list[float] = []
    failures: list[str] = []
    per_client = [total // connections + (i < total % connections) for i in range(connections)]

    async def main() -> None:
        target = httpx.URL(url)
        await asyncio.gather(
            *(_keep_alive_client(target, headers, n, latencies, failures) for n in per_client)
        )

    started = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000 if latencies else float("nan")
    tool = f"asyncio keep-alive client, {connections} connections"
    return Load(total / elapsed, p50, total, len(failures), tool)


# ---- slow-client isolation ---------------------------------------------------------

SLOW_TIMEOUT_S = 0.5
SLOW_BODY = b'{"sleep": 2.0}'  # four times the timeout: every such request answers 504
SLOW_CLIENTS = 2


@dataclass
class Isolation:
    good_per_s: float
    p50_ms: float
    good_failures: int
    slow_statuses: dict[str, int]


async def _client_until(
    url: httpx.URL,
    headers: dict[str, str],
    body: bytes,
    deadline: float,
    expect: bytes,
    latencies: list[float],
    failures: list[str],
) -> None:
    """Send ``body`` again and again over one keep-alive connection until ``deadline``;
    answers whose status line lacks ``expect`` count as failures."""
    host, port = url.host, url.port or 80
    head = f"POST {url.path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                writer.write(request)
                status_line = await reader.readuntil(b"\r\n")
                head_bytes = await reader.readuntil(b"\r\n\r\n")
                length = re.search(rb"(?i)content-length: (\d+)", head_bytes)
                await reader.readexactly(int(length.group(1)) if length else 0)
            except (OSError, asyncio.IncompleteReadError) as exc:
                failures.append(type(exc).__name__)
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            if expect in status_line:
                latencies.append(time.perf_counter() - started)
            else:
                failures.append(status_line.decode().strip())
            if b"close" in head_bytes.lower():  # a draining worker: move to another one
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


def isolation_load(
    url: str, headers: dict[str, str], good: int, slow: int, duration: float
) -> Isolation:
    """``good`` clients scoring and ``slow`` clients timing out, for ``duration`` s."""
    good_latencies: list[float] = []
    good_failures: list[str] = []
    slow_latencies: list[float] = []
    slow_failures: list[str] = []

    async def main() -> None:
        target = httpx.URL(url)
        deadline = time.perf_counter() + duration
        await asyncio.gather(
            *(
                _client_until(
                    target, headers, BODY, deadline, b" 200 ", good_latencies, good_failures
                )
                for _ in range(good)
            ),
            *(
                _client_until(
                    target, headers, SLOW_BODY, deadline, b" 504 ", slow_latencies, slow_failures
                )
                for _ in range(slow)
            ),
        )

    asyncio.run(main())
    good_latencies.sort()
    p50 = good_latencies[len(good_latencies) // 2] * 1000 if good_latencies else float("nan")
    statuses = {"504": len(slow_latencies)}
    for failure in slow_failures:
        statuses[failure] = statuses.get(failure, 0) + 1
    return Isolation(len(good_latencies) / duration, p50, len(good_failures), statuses)


def measure_isolation(server: Server, args: argparse.Namespace) -> tuple[Isolation, Isolation]:
    """Median rounds of (all clients good) and (2 of them slow), measured in alternation."""
    clients = args.connections
    isolation_load(server.url, server.headers, clients, 0, 2)  # warm-up
    calm: list[Isolation] = []
    slowed: list[Isolation] = []
    for round_number in range(args.rounds):

        def calm_round() -> None:
            calm.append(isolation_load(server.url, server.headers, clients, 0, args.duration))

        def slowed_round() -> None:
            slow, good = SLOW_CLIENTS, clients - SLOW_CLIENTS
            slowed.append(isolation_load(server.url, server.headers, good, slow, args.duration))

        # ABBA order: a machine getting busier or calmer during the run favours neither
        order = (calm_round, slowed_round) if round_number % 2 == 0 else (slowed_round, calm_round)
        for measure_round in order:
            measure_round()

    def median(rounds: list[Isolation]) -> Isolation:
        middle = sorted(rounds, key=lambda r: r.good_per_s)[len(rounds) // 2]
        middle.good_failures = sum(r.good_failures for r in rounds)
        statuses: dict[str, int] = {}
        for r in rounds:
            for status, n in r.slow_statuses.items():
                statuses[status] = statuses.get(status, 0) + n
        middle.slow_statuses = statuses
        return middle

    return median(calm), median(slowed)


@contextlib.contextmanager
def slow_endpoint(root: Path) -> Iterator[Server]:
    """Our endpoint again (same model, script and workers) with a 0.5 s timeout."""
    ws = Workspace.open(root / "project")
    endpoint = ws.deploy(
        "iris-slow", ["iris"], source_dir=root / "serving", workers=2, timeout_s=SLOW_TIMEOUT_S
    )
    try:
        headers = {"Authorization": f"Bearer {endpoint.get_keys()['primary']}"}
        endpoint.invoke({"inputs": [[5.1, 3.5, 1.4, 0.2]]})
        assert endpoint.record.pid is not None
        yield Server(
            "jupyter-mlws, 2 workers, 0.5 s timeout",
            endpoint.scoring_uri,
            headers,
            _group(endpoint.record.pid),
        )
    finally:
        endpoint.delete()


def measure(server: Server, args: argparse.Namespace, duration: int) -> Load:
    before = _cpu_seconds(server.pids())
    if shutil.which("wrk"):
        load = wrk_load(server.url, server.headers, duration, args.connections)
    else:
        load = asyncio_load(server.url, server.headers, duration * 1500, args.connections)
    load.cpu_us_per_request = (_cpu_seconds(server.pids()) - before) / load.requests * 1e6
    return load


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    return total


def _group(pid: int) -> Callable[[], list[int]]:
    def pids() -> list[int]:
        try:
            root = psutil.Process(pid)
            return [pid, *(child.pid for child in root.children(recursive=True))]
        except psutil.NoSuchProcess:
            return []

    return pids


# ---- the servers --------------------------------------------------------------------


def train(root: Path, kind: str) -> object:
    (root / "model").mkdir()
    if kind == "numpy":
        import numpy as np

        np.savez(root / "model" / "model.npz", w=np.array([0.4, -0.2, 0.7, 0.1]), b=-0.5)
        return root / "model" / "model.npz"
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    x, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=500).fit(x, y)
    with open(root / "model" / "model.pkl", "wb") as f:
        pickle.dump(model, f)
    return model


@contextlib.contextmanager
def ours(root: Path, kind: str) -> Iterator[tuple[Server, Callable[[], str]]]:
    ws = Workspace.init(root / "project")
    file = "model.npz" if kind == "numpy" else "model.pkl"
    ws.register_model("iris", root / "model" / file, framework=kind)
    source = root / "serving"
    source.mkdir()
    (source / "score.py").write_text(NUMPY_SCORE_PY if kind == "numpy" else SKLEARN_SCORE_PY)
    endpoint = ws.deploy("iris", ["iris"], source_dir=source, workers=2)
    try:
        headers = {"Authorization": f"Bearer {endpoint.get_keys()['primary']}"}
        endpoint.invoke({"inputs": [[5.1, 3.5, 1.4, 0.2]]})
        assert endpoint.record.pid is not None
        server = Server(
            "jupyter-mlws, 2 workers", endpoint.scoring_uri, headers, _group(endpoint.record.pid)
        )
        yield server, lambda: endpoint.metrics()["total"].describe()
    finally:
        endpoint.delete()


@contextlib.contextmanager
def mlflow_server(root: Path, model: object, workers: int) -> Iterator[Server]:
    import mlflow.pyfunc
    import mlflow.sklearn

    path = root / f"mlflow-model-{workers}"
    if isinstance(model, Path):  # the numpy model
        mlflow.pyfunc.save_model(
            str(path),
            python_model=numpy_pyfunc(),
            artifacts={"model": str(model)},
        )
    else:
        mlflow.sklearn.save_model(model, str(path))
    port = _free_port()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    # mlflow execs `uvicorn` from PATH: the one next to this interpreter
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    argv = [sys.executable, "-m", "mlflow", "models", "serve", "-m", str(path)]
    argv += ["-h", "127.0.0.1", "-p", str(port), "-w", str(workers), "--env-manager", "local"]
    with open(root / f"mlflow-{workers}.log", "wb") as log:
        proc = subprocess.Popen(
            argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_ping(f"{base}/ping", proc)
        url = f"{base}/invocations"
        headers = {"Content-Type": "application/json"}
        assert httpx.post(url, content=BODY, headers=headers).status_code == 200
        yield Server(f"mlflow models serve -w {workers}", url, headers, _group(proc.pid))
    finally:
        _stop(proc)


def _wait_for_ping(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        if proc.poll() is not None:
            raise RuntimeError("mlflow models serve exited before it answered")
        time.sleep(0.3)
    raise RuntimeError("mlflow models serve did not answer within 120 s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 20)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- report -------------------------------------------------------------------------


def run_rounds(servers: list[Server], args: argparse.Namespace) -> dict[str, Load]:
    for server in servers:
        measure(server, args, 2)  # warm-up
    rounds: dict[str, list[Load]] = {s.name: [] for s in servers}
    for _ in range(args.rounds):
        for server in servers:
            rounds[server.name].append(measure(server, args, args.duration))
    medians = {}
    for name, loads in rounds.items():
        middle = sorted(loads, key=lambda load: load.requests_per_s)[len(loads) // 2]
        middle.failures = sum(load.failures for load in loads)
        middle.cpu_us_per_request = statistics.median(load.cpu_us_per_request for load in loads)
        medians[name] = middle
    return medians


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=["sklearn", "numpy"], default="sklearn")
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per server")
    parser.add_argument("--soak", type=int, default=20_000, help="requests in the soak")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="mlws-bench-serving-"))
    load_before = os.getloadavg()[0]
    try:
        model = train(root, args.model)
        with (
            ours(root, args.model) as (mine, telemetry),
            mlflow_server(root, model, 1) as mlflow1,
            mlflow_server(root, model, 2) as mlflow2,
        ):
            results = run_rounds([mine, mlflow1, mlflow2], args)
            soak = asyncio_load(mine.url, mine.headers, args.soak, args.connections)
            time.sleep(2)  # the workers flush their telemetry every second
            stats = telemetry()
            with slow_endpoint(root) as slow_server:
                calm, slowed = measure_isolation(slow_server, args)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    our = results[mine.name]
    anchor_name, anchor = max(
        ((n, r) for n, r in results.items() if n != mine.name), key=lambda i: i[1].requests_per_s
    )
    ratio = our.requests_per_s / anchor.requests_per_s
    print(f"model: {args.model}; load: {our.tool}, median of {args.rounds} alternating rounds")
    print(f"request: POST {BODY.decode()}")
    print(f"machine: {os.cpu_count()} CPUs, load average {load_before:.1f} before the run\n")
    rows = [
        (
            "requests/s",
            f"{our.requests_per_s:,.0f}",
            f"{anchor.requests_per_s:,.0f} ({anchor_name})",
            f"{ratio:.2f}x (target >= 2x); >= 3,000: {_yes(our.requests_per_s >= 3000)}",
        ),
        (
            "p50 latency",
            f"{our.p50_ms:.2f} ms",
            f"{anchor.p50_ms:.2f} ms",
            f"target < 5 ms: {_yes(our.p50_ms < 5)}",
        ),
        (
            "server CPU per request",
            f"{our.cpu_us_per_request:.0f} us",
            f"{anchor.cpu_us_per_request:.0f} us",
            f"{anchor.cpu_us_per_request / our.cpu_us_per_request:.2f}x less",
        ),
        *(
            (
                name,
                "",
                f"{r.requests_per_s:,.0f} req/s, p50 {r.p50_ms:.2f} ms, "
                f"{r.cpu_us_per_request:.0f} us CPU/req",
                f"{our.requests_per_s / r.requests_per_s:.2f}x",
            )
            for name, r in results.items()
            if name != mine.name
        ),
        ("failed requests under load", str(our.failures), str(anchor.failures), "target 0"),
        (
            f"soak: {soak.requests:,} requests, {args.connections} keep-alive clients",
            f"{soak.failures} failed",
            "",
            f"{soak.requests_per_s:,.0f} req/s; target 0 failed",
        ),
    ]
    report(rows)
    isolation = slowed.good_per_s / calm.good_per_s
    good = args.connections - SLOW_CLIENTS
    slow_answers = ", ".join(f"{n:,} x {status}" for status, n in slowed.slow_statuses.items())
    print(
        f"\nslow-client isolation: our endpoint again, 2 workers, {SLOW_TIMEOUT_S:g} s timeout; "
        f"the slow clients send {SLOW_BODY.decode()} (run() sleeps past the timeout); "
        f"asyncio keep-alive clients, median of {args.rounds} alternating rounds of "
        f"{args.duration} s\n"
    )
    report(
        [
            (
                f"good requests/s, {args.connections} good clients",
                f"{calm.good_per_s:,.0f} (p50 {calm.p50_ms:.2f} ms)",
                "",
                "the baseline",
            ),
            (
                f"good requests/s, {good} good + {SLOW_CLIENTS} slow clients",
                f"{slowed.good_per_s:,.0f} (p50 {slowed.p50_ms:.2f} ms)",
                "",
                f"{isolation:.2f}x the baseline (target >= 0.8): {_yes(isolation >= 0.8)}",
            ),
            ("slow requests answered", slow_answers, "", "all 504"),
            (
                "good requests failed",
                str(calm.good_failures + slowed.good_failures),
                "",
                "target 0",
            ),
        ]
    )
    print(f"\nendpoint telemetry after the run: {stats}")
    print(f"load average after the run: {os.getloadavg()[0]:.1f}")
    targets = (ratio >= 2, our.requests_per_s >= 3000, our.p50_ms < 5, isolation >= 0.8)
    failed = soak.failures + our.failures + calm.good_failures + slowed.good_failures
    return 0 if all(targets) and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
