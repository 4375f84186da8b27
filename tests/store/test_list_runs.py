"""list_runs: filters, sorting (columns and metric:KEY), paging tokens, limits."""

from __future__ import annotations

import base64

import pytest

from jupyter_mlws.entities import Experiment, RunRecord, RunStatus
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError
from jupyter_mlws.store import SqlStore

S = RunStatus


def ids(runs: list[RunRecord]) -> list[str]:
    return [r.id for r in runs]


def all_pages(store: SqlStore, limit: int, **kwargs: object) -> list[RunRecord]:
    out: list[RunRecord] = []
    token: str | None = None
    while True:
        page, token = store.list_runs(limit=limit, page_token=token, **kwargs)  # type: ignore[arg-type]
        assert len(page) <= limit
        out += page
        if token is None:
            return out


def make_runs(store: SqlStore, experiment: Experiment, n: int) -> list[RunRecord]:
    return [store.create_run(experiment.id, kind="script") for _ in range(n)]


def test_default_order_is_newest_first(store: SqlStore, experiment: Experiment) -> None:
    runs = make_runs(store, experiment, 5)

    page, token = store.list_runs(experiment.id)
    assert ids(page) == ids(runs)[::-1]
    assert token is None

    oldest_first, _ = store.list_runs(experiment.id, descending=False)
    assert ids(oldest_first) == ids(runs)
    by_number, _ = store.list_runs(experiment.id, sort_by="number")
    assert [r.number for r in by_number] == [5, 4, 3, 2, 1]


def test_records_carry_params_tags_and_latest_metrics(
    store: SqlStore, experiment: Experiment
) -> None:
    run = store.create_run(experiment.id, kind="script", params={"lr": 0.1}, tags={"t": "x"})
    store.log_metrics(run.id, [("loss", 2.0, 0, 1), ("loss", 1.5, 1, 2), ("acc", 0.9, 1, 2)])

    (listed,), _ = store.list_runs(experiment.id)
    assert listed == store.get_run(run.id)
    assert listed.params == {"lr": "0.1"} and listed.tags == {"t": "x"}
    assert listed.metrics == {"loss": 1.5, "acc": 0.9}


def test_filters(store: SqlStore, experiment: Experiment) -> None:
    other = store.get_or_create_experiment("other")
    parent = store.create_run(experiment.id, kind="sweep", tags={"team": "a"})
    child1 = store.create_run(
        experiment.id, kind="script", parent_id=parent.id, tags={"team": "a", "lr": "0.1"}
    )
    child2 = store.create_run(
        experiment.id, kind="script", parent_id=parent.id, compute="gpu", tags={"team": "b"}
    )
    lone = store.create_run(experiment.id, kind="notebook", status=S.QUEUED)
    elsewhere = store.create_run(other.id, kind="script", tags={"team": "a"})
    store.transition(child1.id, S.RUNNING)
    store.transition(child2.id, S.FAILED)

    def listed(**kwargs: object) -> set[str]:
        page, _ = store.list_runs(**kwargs)  # type: ignore[arg-type]
        return set(ids(page))

    assert listed(experiment_id=experiment.id) == {parent.id, child1.id, child2.id, lone.id}
    assert listed() == {parent.id, child1.id, child2.id, lone.id, elsewhere.id}
    assert listed(experiment_id=experiment.id, statuses=[S.RUNNING, S.FAILED]) == {
        child1.id,
        child2.id,
    }
    assert listed(experiment_id=experiment.id, statuses=[S.QUEUED]) == {lone.id}
    assert listed(experiment_id=experiment.id, tags={"team": "a"}) == {parent.id, child1.id}
    assert listed(tags={"team": "a"}) == {parent.id, child1.id, elsewhere.id}
    assert listed(tags={"team": "a", "lr": "0.1"}) == {child1.id}
    assert listed(tags={"team": "c"}) == set()
    assert listed(parent_id=parent.id) == {child1.id, child2.id}
    assert listed(experiment_id=experiment.id, top_level_only=True) == {parent.id, lone.id}
    assert listed(compute="gpu") == {child2.id}
    assert listed(kind="notebook") == {lone.id}
    with pytest.raises(ResourceNotFoundError):
        store.list_runs(parent_id="0" * 32)


def test_paging_tokens_round_trip(store: SqlStore, experiment: Experiment) -> None:
    runs = make_runs(store, experiment, 7)

    first, token = store.list_runs(experiment.id, limit=3)
    assert ids(first) == ids(runs)[::-1][:3]
    assert token is not None
    second, token = store.list_runs(experiment.id, limit=3, page_token=token)
    assert ids(second) == ids(runs)[::-1][3:6]
    third, token = store.list_runs(experiment.id, limit=3, page_token=token)
    assert ids(third) == ids(runs)[::-1][6:]
    assert token is None

    # Exactly one page's worth: no token pointing at an empty page.
    page, token = store.list_runs(experiment.id, limit=7)
    assert len(page) == 7 and token is None


@pytest.mark.parametrize(
    "token",
    [
        "garbage!",
        "bm90LWEtdG9rZW4=",  # base64 of "not-a-token"
        base64.urlsafe_b64encode(b"o:10").decode(),  # the old format is not a token any more
        "o-5",
        "o1234567890",
        "oten",
        base64.urlsafe_b64encode(b"o:ten").decode(),
        base64.urlsafe_b64encode(b"x:10").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_invalid_page_token(store: SqlStore, experiment: Experiment, token: str) -> None:
    make_runs(store, experiment, 2)
    with pytest.raises(InvalidParameterError, match="page token"):
        store.list_runs(experiment.id, page_token=token)


def test_limit_bounds(store: SqlStore, experiment: Experiment) -> None:
    make_runs(store, experiment, 2)
    for bad in (0, -1, 10_001):
        with pytest.raises(InvalidParameterError, match="limit"):
            store.list_runs(experiment.id, limit=bad)
    assert len(store.list_runs(experiment.id, limit=1)[0]) == 1
    assert len(store.list_runs(experiment.id, limit=10_000)[0]) == 2


def test_unknown_sort_key(store: SqlStore, experiment: Experiment) -> None:
    with pytest.raises(InvalidParameterError, match="sort"):
        store.list_runs(experiment.id, sort_by="colour")


def metric_runs(store: SqlStore, experiment: Experiment) -> dict[str, RunRecord]:
    """Runs a, b, c with loss 3, 1, 2 (b logged a worse value earlier); x, y without it."""
    runs = {name: store.create_run(experiment.id, kind="script") for name in "axbyc"}
    store.log_metrics(runs["a"].id, [("loss", 3.0, 0, 10)])
    store.log_metrics(runs["b"].id, [("loss", 9.0, 0, 10), ("loss", 1.0, 1, 11)])
    store.log_metrics(runs["c"].id, [("loss", 2.0, 0, 10)])
    store.log_metrics(runs["x"].id, [("acc", 0.5, 0, 10)])  # other metrics only
    return runs


@pytest.mark.parametrize(
    ("descending", "expected"),
    [(False, ["b", "c", "a", "y", "x"]), (True, ["a", "c", "b", "y", "x"])],
)
def test_sort_by_metric_puts_runs_without_it_last(
    store: SqlStore, experiment: Experiment, descending: bool, expected: list[str]
) -> None:
    runs = metric_runs(store, experiment)
    name = {r.id: n for n, r in runs.items()}

    page, _ = store.list_runs(experiment.id, sort_by="metric:loss", descending=descending)
    assert [name[r.id] for r in page] == expected

    # Paging through the same order, in every page size, gives the same sequence.
    for limit in (1, 2, 3, 4):
        paged = all_pages(
            store, limit, experiment_id=experiment.id, sort_by="metric:loss", descending=descending
        )
        assert [name[r.id] for r in paged] == expected


def test_sort_by_metric_across_experiments(store: SqlStore, experiment: Experiment) -> None:
    runs = metric_runs(store, experiment)
    other = store.create_run(store.get_or_create_experiment("other").id, kind="script")
    store.log_metrics(other.id, [("loss", 0.5, 0, 10)])

    page, _ = store.list_runs(sort_by="metric:loss", descending=False, limit=2)
    assert ids(page) == [other.id, runs["b"].id]


def test_sort_by_started_puts_runs_never_started_last_on_every_database(
    store: SqlStore, experiment: Experiment
) -> None:
    """Same rule as for metrics, so both databases return the same order."""
    first = store.create_run(experiment.id, kind="script")
    never = store.create_run(experiment.id, kind="script")
    second = store.create_run(experiment.id, kind="script")
    store.transition(first.id, S.RUNNING, started_ms=1_000)
    store.transition(second.id, S.RUNNING, started_ms=2_000)

    newest, _ = store.list_runs(experiment.id, sort_by="started", descending=True)
    oldest, _ = store.list_runs(experiment.id, sort_by="started", descending=False)
    assert ids(newest) == [second.id, first.id, never.id]
    assert ids(oldest) == [first.id, second.id, never.id]


def test_name_filter_matches_substrings_literally(store: SqlStore) -> None:
    exp = store.get_or_create_experiment("names")
    for name in ("baseline", "big_model", "big%model"):
        store.create_run(exp.id, kind="script", display_name=name)
    found, _ = store.list_runs(exp.id, name_contains="big")
    assert sorted(r.display_name for r in found) == ["big%model", "big_model"]
    found, _ = store.list_runs(exp.id, name_contains="g%m")
    assert [r.display_name for r in found] == ["big%model"]
