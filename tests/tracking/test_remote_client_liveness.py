"""A run a remote MLflow client executes is never found lost: nothing here can see its
process, and the client ends it (as with MLflow). Other runs without a heartbeat are."""

from __future__ import annotations

from jupyter_mlws.entities import RunRecord, RunStatus, now_ms
from jupyter_mlws.tracking.liveness import REMOTE_CLIENT_COMPUTE, is_dead


def _record(compute: str) -> RunRecord:
    long_ago = now_ms() - 3_600_000
    return RunRecord(
        id="a" * 32,
        experiment_id=1,
        experiment_name="e",
        number=1,
        display_name="r",
        kind="mlflow",
        status=RunStatus.RUNNING,
        compute=compute,
        created_ms=long_ago,
        heartbeat_ms=long_ago,
        host="elsewhere",
    )


def test_quiet_remote_client_run_is_not_lost_but_others_are() -> None:
    assert not is_dead(_record(REMOTE_CLIENT_COMPUTE), None, lost_after_s=120)
    assert is_dead(_record("local"), None, lost_after_s=120)
