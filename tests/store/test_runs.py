"""Runs: numbering, params/tags/properties, status compare-and-set, queue claims."""

from __future__ import annotations

import pytest

from jupyter_mlws.entities import Experiment, RunRecord, RunStatus
from jupyter_mlws.exceptions import (
    ImmutableValueError,
    InvalidParameterError,
    ResourceNotFoundError,
)
from jupyter_mlws.store import SqlStore

S = RunStatus
UNKNOWN_RUN = "0" * 32


# ---- creation and numbering ------------------------------------------------------------


def test_numbers_increase_per_experiment(store: SqlStore) -> None:
    mnist = store.get_or_create_experiment("mnist")
    cifar = store.get_or_create_experiment("cifar")

    numbers = [store.create_run(mnist.id, kind="script").number for _ in range(3)]
    other = store.create_run(cifar.id, kind="notebook")
    numbers.append(store.create_run(mnist.id, kind="script").number)

    assert numbers == [1, 2, 3, 4]
    assert other.number == 1
    fourth = store.get_run_by_number(mnist.id, 4)
    assert fourth.display_name == "run-4" and fourth.experiment_name == "mnist"
    with pytest.raises(ResourceNotFoundError):
        store.get_run_by_number(cifar.id, 2)


def test_new_run_has_what_it_was_created_with(store: SqlStore, experiment: Experiment) -> None:
    run = store.create_run(
        experiment.id,
        kind="notebook",
        compute="gpu",
        display_name="first try",
        definition={"script": "train.py", "args": ["--lr", "0.1"]},
        params={"lr": 0.1, "optimizer": "adam"},
        tags={"team": "vision"},
        properties={"git.commit": "abc123"},
        started=True,
    )

    got = store.get_run(run.id)
    assert got == run
    assert len(run.id) == 32 and int(run.id, 16) >= 0
    assert (run.kind, run.compute, run.display_name) == ("notebook", "gpu", "first try")
    assert run.status is S.NOT_STARTED
    assert run.definition == {"script": "train.py", "args": ["--lr", "0.1"]}
    assert run.params == {"lr": "0.1", "optimizer": "adam"}
    assert run.tags == {"team": "vision"}
    assert run.properties == {"git.commit": "abc123"}
    assert run.started_ms is not None and run.started_ms >= run.created_ms
    assert run.parent_id is None and run.ended_ms is None


def test_child_runs_name_their_parent(store: SqlStore, run: RunRecord) -> None:
    child = store.create_run(run.experiment_id, kind="script", parent_id=run.id)
    assert store.get_run(child.id).parent_id == run.id


def test_failed_creation_changes_nothing(store: SqlStore, run: RunRecord) -> None:
    with pytest.raises(ResourceNotFoundError):
        store.create_run(run.experiment_id, kind="script", parent_id=UNKNOWN_RUN)
    with pytest.raises(ResourceNotFoundError):
        store.create_run(987654, kind="script")

    # No run was added and no number was used up.
    assert store.create_run(run.experiment_id, kind="script").number == 2
    runs, _ = store.list_runs(run.experiment_id)
    assert len(runs) == 2


def test_unknown_run_is_not_found(store: SqlStore, run: RunRecord) -> None:
    calls = [
        lambda: store.get_run(UNKNOWN_RUN),
        lambda: store.set_params(UNKNOWN_RUN, {"a": 1}),
        lambda: store.set_tags(UNKNOWN_RUN, {"a": 1}),
        lambda: store.set_properties(UNKNOWN_RUN, {"a": 1}),
        lambda: store.remove_tags(UNKNOWN_RUN, ["a"]),
        lambda: store.transition(UNKNOWN_RUN, S.RUNNING),
        lambda: store.heartbeat(UNKNOWN_RUN),
    ]
    for call in calls:
        with pytest.raises(ResourceNotFoundError):
            call()


# ---- params, properties, tags ---------------------------------------------------------


def test_params_are_immutable(store: SqlStore, run: RunRecord) -> None:
    store.set_params(run.id, {"lr": 0.1, "layers": [64, 32]})
    store.set_params(run.id, {"lr": 0.1})  # the same value again is fine
    store.set_params(run.id, {"lr": "0.1"})  # ... also as the text it is stored as

    with pytest.raises(ImmutableValueError, match="lr"):
        store.set_params(run.id, {"lr": 0.2})
    # A batch with one conflicting value writes nothing at all.
    with pytest.raises(ImmutableValueError):
        store.set_params(run.id, {"epochs": 10, "lr": 0.3})

    assert store.get_run(run.id).params == {"lr": "0.1", "layers": "[64,32]"}


def test_properties_are_immutable(store: SqlStore, run: RunRecord) -> None:
    store.set_properties(run.id, {"git.branch": "main"})
    store.set_properties(run.id, {"git.branch": "main", "git.dirty": "false"})

    with pytest.raises(ImmutableValueError, match=r"git\.branch"):
        store.set_properties(run.id, {"git.branch": "dev"})

    assert store.get_run(run.id).properties == {"git.branch": "main", "git.dirty": "false"}


def test_tags_are_mutable(store: SqlStore, run: RunRecord) -> None:
    store.set_tags(run.id, {"stage": "dev", "owner": "ana"})
    store.set_tags(run.id, {"stage": "prod"})
    assert store.get_run(run.id).tags == {"stage": "prod", "owner": "ana"}

    store.remove_tags(run.id, ["owner", "never-set"])
    assert store.get_run(run.id).tags == {"stage": "prod"}


def test_params_tags_and_properties_are_separate(store: SqlStore, run: RunRecord) -> None:
    store.set_params(run.id, {"x": 1})
    store.set_tags(run.id, {"x": 2})
    store.set_properties(run.id, {"x": 3})
    got = store.get_run(run.id)
    assert (got.params, got.tags, got.properties) == ({"x": "1"}, {"x": "2"}, {"x": "3"})


def test_bad_keys_and_values_are_rejected(store: SqlStore, run: RunRecord) -> None:
    with pytest.raises(InvalidParameterError):
        store.set_params(run.id, {"../etc": 1})
    with pytest.raises(InvalidParameterError):
        store.set_tags(run.id, {"note": "x" * 8001})
    store.set_tags(run.id, {"note": "x" * 8000})
    got = store.get_run(run.id)
    assert got.params == {} and got.tags == {"note": "x" * 8000}


# ---- status ---------------------------------------------------------------------------


def test_transition_is_compare_and_set(store: SqlStore, experiment: Experiment) -> None:
    run = store.create_run(experiment.id, kind="script", status=S.QUEUED)

    assert store.transition(run.id, S.RUNNING, only_from=[S.PREPARING]) is False
    assert store.get_run(run.id).status is S.QUEUED

    assert store.transition(run.id, S.PREPARING, only_from=[S.QUEUED]) is True
    assert store.transition(run.id, S.PREPARING, only_from=[S.QUEUED]) is False
    assert store.transition(run.id, S.RUNNING, only_from=[S.PREPARING]) is True
    running = store.get_run(run.id)
    assert running.status is S.RUNNING
    assert running.started_ms is not None and running.heartbeat_ms is not None
    assert running.ended_ms is None

    assert store.transition(run.id, S.COMPLETED) is True
    done = store.get_run(run.id)
    assert done.status is S.COMPLETED
    assert done.ended_ms is not None and done.ended_ms >= running.started_ms


@pytest.mark.parametrize("final", [S.COMPLETED, S.FAILED, S.CANCELED])
def test_terminal_status_is_final(store: SqlStore, run: RunRecord, final: RunStatus) -> None:
    assert store.transition(run.id, S.RUNNING)
    assert store.transition(run.id, final, error={"message": "boom"})
    ended = store.get_run(run.id)

    for status in RunStatus:
        assert store.transition(run.id, status) is False

    after = store.get_run(run.id)
    assert after.status is final
    assert after.ended_ms == ended.ended_ms
    assert after.error == {"message": "boom"}


def test_terminal_status_is_final_even_when_only_from_names_it(
    store: SqlStore, run: RunRecord
) -> None:
    # "Terminal states are final: a run that already ended is never changed."
    assert store.transition(run.id, S.COMPLETED)
    assert store.transition(run.id, S.RUNNING, only_from=[S.COMPLETED]) is False
    assert store.get_run(run.id).status is S.COMPLETED


def test_heartbeat_reports_cancel_requests(store: SqlStore, run: RunRecord) -> None:
    store.transition(run.id, S.RUNNING)
    assert store.heartbeat(run.id) is S.RUNNING
    store.transition(run.id, S.CANCEL_REQUESTED, only_from=[S.RUNNING])
    assert store.heartbeat(run.id) is S.CANCEL_REQUESTED


def test_claim_queued_takes_the_oldest_runs_of_one_target(
    store: SqlStore, experiment: Experiment
) -> None:
    def queued(compute: str) -> str:
        return store.create_run(experiment.id, kind="script", compute=compute, status=S.QUEUED).id

    local = [queued("local") for _ in range(4)]
    gpu = queued("gpu")
    idle = store.create_run(experiment.id, kind="script", compute="local").id  # NotStarted

    assert store.claim_queued("local", max_active=0) == []
    assert store.claim_queued("local", max_active=2) == local[:2]
    assert store.claim_queued("local", max_active=2) == []  # both slots are taken
    assert [store.get_run(r).status for r in local] == [S.PREPARING] * 2 + [S.QUEUED] * 2
    assert store.count_active("local") == 2

    store.transition(local[0], S.COMPLETED)  # frees one slot
    assert store.claim_queued("local", max_active=2) == local[2:3]
    assert store.claim_queued("local") == local[3:]  # no limit: everything queued
    assert store.claim_queued("local") == []

    assert store.get_run(gpu).status is S.QUEUED
    assert store.get_run(idle).status is S.NOT_STARTED
    assert store.count_active("local") == 3
    assert store.count_active("gpu") == 0


def test_controllers_neither_take_nor_wait_for_a_slot(
    store: SqlStore, experiment: Experiment
) -> None:
    # a sweep on a one-slot target: its trials must still get that slot
    trial = store.create_run(experiment.id, kind="script", compute="local", status=S.QUEUED).id
    sweep = store.create_run(experiment.id, kind="sweep", compute="local", status=S.QUEUED).id
    assert store.claim_queued("local", max_active=1) == [sweep, trial]

    pipeline = store.create_run(experiment.id, kind="pipeline", compute="local", status=S.QUEUED)
    step = store.create_run(experiment.id, kind="script", compute="local", status=S.QUEUED).id
    assert store.claim_queued("local", max_active=1) == [pipeline.id]  # the slot is the trial's
    store.transition(trial, S.COMPLETED)
    assert store.claim_queued("local", max_active=1) == [step]


def test_reopen_queues_an_ended_run_again_without_its_old_process(
    store: SqlStore, experiment: Experiment
) -> None:
    sweep = store.create_run(experiment.id, kind="sweep", compute="local", status=S.QUEUED).id
    assert not store.reopen_run(sweep, {"n": 2})  # not ended: nothing to reopen
    store.transition(sweep, S.RUNNING)
    store.set_run_fields(sweep, host="h", pid=123, pid_started=1.0)
    store.transition(sweep, S.COMPLETED)
    assert store.reopen_run(sweep, {"n": 2})
    record = store.get_run(sweep)
    assert record.status is S.QUEUED and record.definition == {"n": 2}
    assert record.pid is None and record.host is None and record.ended_ms is None
    assert not store.reopen_run(sweep, {"n": 3})  # another reopen already won
