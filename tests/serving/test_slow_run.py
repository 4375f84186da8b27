"""Slow, stuck and hostile ``run()`` calls: each costs its own request, never the others."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from jupyter_mlws import Workspace
from jupyter_mlws.serving import Endpoint

from .support import client, register_linear, wait_until, write_source

# ``block`` stays in run() until the file it names exists (or 120 s pass): a stand-in
# for a model stuck on a lock or a dead network share, released by the test itself.
SCORE_PY = """
import os
import sys
import time


def init():
    pass


def run(data):
    if "block" in data:
        open(data["started"], "a").close()
        deadline = time.monotonic() + 120
        while not os.path.exists(data["block"]) and time.monotonic() < deadline:
            time.sleep(0.01)
        return {"blocked": True}
    if "exit" in data:
        sys.exit(data["exit"])
    if "interrupt" in data:
        raise KeyboardInterrupt("from score.py")
    return {"pid": os.getpid()}
"""


def deploy(ws: Workspace, tmp_path: Path, **options: object) -> tuple[Endpoint, str]:
    register_linear(ws, "m", 0.0, tmp_path / "model")
    source = write_source(tmp_path / "src", SCORE_PY)
    endpoint = ws.deploy("slow", ["m"], source_dir=source, **options)  # type: ignore[arg-type]
    return endpoint, endpoint.get_keys()["primary"]


class Blocker:
    """Requests whose run() blocks until ``release()``; each waits in its own thread."""

    def __init__(self, endpoint: Endpoint, key: str, folder: Path) -> None:
        self.endpoint, self.key, self.folder = endpoint, key, folder
        self.release_file = folder / "release"
        self.replies: list[httpx.Response] = []
        self.threads: list[threading.Thread] = []

    def send(self) -> Path:
        started = self.folder / f"started-{len(self.threads)}"

        def call() -> None:
            with client(self.endpoint, self.key) as http:
                body = {"block": str(self.release_file), "started": str(started)}
                self.replies.append(http.post("/score", json=body))

        thread = threading.Thread(target=call)
        thread.start()
        self.threads.append(thread)
        return started

    def release(self) -> None:
        self.release_file.touch()
        for thread in self.threads:
            thread.join(timeout=60)


@pytest.fixture
def blocker_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "blocker"
    folder.mkdir()
    return folder


def test_a_slow_run_does_not_hold_up_the_other_requests_of_its_worker(
    ws: Workspace, tmp_path: Path, blocker_folder: Path
) -> None:
    endpoint, key = deploy(ws, tmp_path, workers=1, timeout_s=60.0)
    blocker = Blocker(endpoint, key, blocker_folder)
    try:
        started = blocker.send()
        wait_until(started.exists)  # run() is now blocked inside the only worker
        with client(endpoint, key) as http:
            answers = [http.post("/score", json={"fast": True}) for _ in range(20)]
        assert [r.status_code for r in answers] == [200] * 20
        assert blocker.replies == []  # all answered while the slow one still ran
    finally:
        blocker.release()
    assert [r.status_code for r in blocker.replies] == [200]


def test_a_timed_out_request_answers_504_and_frees_its_slot(
    ws: Workspace, tmp_path: Path, blocker_folder: Path
) -> None:
    endpoint, key = deploy(ws, tmp_path, workers=1, timeout_s=1.0, threads=1, max_stuck_threads=4)
    blocker = Blocker(endpoint, key, blocker_folder)
    try:
        blocker.send()
        wait_until(lambda: blocker.replies)
        slow = blocker.replies[0]
        assert slow.status_code == 504
        assert "1 s timeout" in slow.json()["error"] and slow.json()["error_id"]
        with client(endpoint, key) as http:  # its run() still blocks; its slot is free
            assert http.post("/score", json={"fast": True}).status_code == 200
    finally:
        blocker.release()


def test_a_worker_whose_stuck_threads_reach_the_bound_is_replaced_without_dropping_requests(
    ws: Workspace, tmp_path: Path, blocker_folder: Path
) -> None:
    endpoint, key = deploy(ws, tmp_path, workers=1, timeout_s=1.0, threads=3, max_stuck_threads=2)
    # 3 slots: the 2 blocked calls never make the good client wait for one
    with client(endpoint, key) as http:
        first_pid = http.post("/score", json={"fast": True}).json()["pid"]
    blocker = Blocker(endpoint, key, blocker_folder)
    statuses: list[int] = []
    pids: set[int] = set()
    stop = threading.Event()

    def keep_scoring() -> None:
        with client(endpoint, key) as http:
            while not stop.is_set():
                try:
                    reply = http.post("/score", json={"fast": True})
                except httpx.HTTPError as exc:  # a dropped connection counts as a failure
                    statuses.append(-1)
                    print("dropped:", exc)
                    continue
                statuses.append(reply.status_code)
                if reply.status_code == 200:
                    pids.add(reply.json()["pid"])

    good = threading.Thread(target=keep_scoring)
    good.start()
    try:
        for _ in range(2):
            blocker.send()
        wait_until(lambda: len(blocker.replies) == 2, timeout_s=60)
        wait_until(lambda: endpoint.status().get("replaced_stuck") == 1, timeout_s=60)
        new_workers = endpoint.status()["workers"]
        assert first_pid not in new_workers and len(new_workers) == 1
        wait_until(lambda: new_workers[0] in pids, timeout_s=60)
    finally:
        stop.set()
        good.join(timeout=60)
        blocker.release()
    assert [r.status_code for r in blocker.replies] == [504, 504]
    assert statuses and set(statuses) == {200}  # no request failed or went unanswered
    assert "starting a worker to take over" in endpoint.get_logs()


@pytest.mark.parametrize(
    ("body", "name"), [({"exit": 3}, "SystemExit"), ({"interrupt": 1}, "KeyboardInterrupt")]
)
def test_run_raising_a_base_exception_is_a_json_500_and_the_worker_goes_on(
    ws: Workspace, tmp_path: Path, body: dict[str, int], name: str
) -> None:
    endpoint, key = deploy(ws, tmp_path, workers=1)
    with client(endpoint, key) as http:
        pid = http.post("/score", json={"fast": True}).json()["pid"]
        reply = http.post("/score", json=body)
        after = http.post("/score", json={"fast": True})
    assert reply.status_code == 500
    assert reply.headers["content-type"] == "application/json"
    error = reply.json()
    assert f"run() raised {name}" in error["error"] and error["error_id"]
    assert f"error {error['error_id']}" in endpoint.get_logs()
    assert after.status_code == 200 and after.json()["pid"] == pid


ASYNC_SCORE_PY = """
import asyncio
import os
import sys


async def run(data):
    if "exit" in data:
        sys.exit(data["exit"])
    if "sleep" in data:
        await asyncio.sleep(data["sleep"])
    return {"pid": os.getpid()}
"""


def test_an_async_run_raising_system_exit_is_a_json_500_too(ws: Workspace, tmp_path: Path) -> None:
    register_linear(ws, "m", 0.0, tmp_path / "model")
    source = write_source(tmp_path / "src", ASYNC_SCORE_PY)
    endpoint = ws.deploy("async", ["m"], source_dir=source, workers=1, timeout_s=1.0)
    with client(endpoint, endpoint.get_keys()["primary"]) as http:
        pid = http.post("/score", json={}).json()["pid"]
        reply = http.post("/score", json={"exit": 3})
        slow = http.post("/score", json={"sleep": 30})
        after = http.post("/score", json={})
    assert reply.status_code == 500 and "run() raised SystemExit" in reply.json()["error"]
    assert slow.status_code == 504
    assert after.status_code == 200 and after.json()["pid"] == pid
