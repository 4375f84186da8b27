"""The background refresher: backs off while nothing changes, rations its time, ends."""

from __future__ import annotations

import threading
import time

from jupyter_mlws.widgets.refresher import Poll, Refresher


def test_backs_off_while_unchanged_and_resets_on_change() -> None:
    results = [Poll(False, False)] * 4 + [Poll(True, False)] + [Poll(False, True)]
    intervals: list[float] = []
    refresher: Refresher

    def poll() -> Poll:
        intervals.append(refresher.interval)
        return results[len(intervals) - 1]

    refresher = Refresher(poll, min_interval=0.001, max_interval=0.004, factor=2.0)
    refresher.start(first_wait=0.0)
    refresher.join(timeout=30)
    assert not refresher.alive and refresher.polls == 6
    # interval before each poll: grows x2 up to the cap, back to the minimum after a change
    assert intervals == [0.001, 0.002, 0.004, 0.004, 0.004, 0.001]


def test_a_slow_poll_buys_a_long_quiet_period() -> None:
    done = threading.Event()

    def poll() -> Poll:
        time.sleep(0.02)
        done.set()
        return Poll(True, False)

    refresher = Refresher(poll, min_interval=0.001, max_duty=0.05).start(first_wait=0.0)
    assert done.wait(30)
    refresher.stop()
    refresher.join(timeout=30)
    assert refresher.next_wait >= 0.02 / 0.05  # at most 5% of the time spent polling


def test_errors_do_not_end_the_view_and_stop_ends_it() -> None:
    calls = []

    def poll() -> Poll:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("database is locked")
        return Poll(False, True)

    refresher = Refresher(poll, min_interval=0.001).start(first_wait=0.0)
    refresher.join(timeout=30)
    assert len(calls) == 3 and not refresher.alive
    idle = Refresher(lambda: Poll(False, False), min_interval=0.001).start()
    idle.stop()
    idle.join(timeout=30)
    assert not idle.alive
