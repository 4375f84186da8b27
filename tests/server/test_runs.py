"""Runs over REST: listing with filters, sort and pages; details; metrics; logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlws.workspace import Workspace

from .conftest import Api
from .seed import tracked_run

pytestmark = pytest.mark.usefixtures("jp_serverapp")


async def test_list_runs_sorted_by_metric_pages_through_all(workspace: Workspace, api: Api) -> None:
    for i in range(7):
        tracked_run(workspace, loss=[1.0, 0.5 + i / 10], params={"lr": i})
    tracked_run(workspace, experiment="other", loss=[9.0])
    seen: list[float] = []
    token = None
    while True:
        params = {"experiment": "exp", "sort": "metric:loss", "order": "asc", "limit": 3}
        if token:
            params["page_token"] = token
        reply = await api("GET", "runs", params)
        assert reply.status == 200
        seen += [r["metrics"]["loss"] for r in reply.json["runs"]]
        token = reply.json["next_page_token"]
        if token is None:
            break
    assert seen == sorted(seen) and len(seen) == 7
    assert seen[0] == pytest.approx(0.5)


async def test_list_runs_filters_by_status_and_tag(workspace: Workspace, api: Api) -> None:
    tracked_run(workspace, tags={"team": "a"})
    tracked_run(workspace, tags={"team": "b"})
    running = workspace.experiment("exp").start_logging()
    try:
        reply = await api("GET", "runs", [("status", "Running"), ("experiment", "exp")])
        assert [r["id"] for r in reply.json["runs"]] == [running.id]
        reply = await api("GET", "runs", [("tag", "team=b")])
        assert [r["tags"]["team"] for r in reply.json["runs"]] == ["b"]
    finally:
        running.complete()


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"sort": "bogus"}, "cannot sort"),
        ({"status": "Sleeping"}, "unknown run status"),
        ({"limit": "0"}, "limit"),
        ({"limit": "many"}, "integer"),
        ({"page_token": "!!"}, "page token"),
        ({"order": "sideways"}, "order"),
        ({"tag": "novalue"}, "key=value"),
        ({"experiment": "nope"}, "does not exist"),
    ],
)
async def test_bad_list_queries_are_400_or_404(
    api: Api, params: dict[str, str], fragment: str
) -> None:
    reply = await api("GET", "runs", params)
    assert reply.status in (400, 404)
    assert reply.json["error_code"] in ("INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST")
    assert fragment in reply.json["message"]


async def test_get_run_by_id_prefix_and_number(workspace: Workspace, api: Api) -> None:
    run = tracked_run(workspace, params={"lr": 0.1}, tags={"t": "1"}, log_text="hello\n")
    for ref in (run.id, run.id[:8], f"exp:{run.number}"):
        reply = await api("GET", f"runs/{ref}")
        assert reply.status == 200
        body = reply.json
        assert body["id"] == run.id
        assert body["status"] == "Completed"
        assert body["params"] == {"lr": "0.1"} and body["tags"] == {"t": "1"}
        assert body["logs"] == ["std_log.txt"]
    missing = await api("GET", "runs/" + "0" * 32)
    assert missing.status == 404 and missing.json["error_code"] == "RESOURCE_DOES_NOT_EXIST"


async def test_child_runs_are_listed_under_their_parent(workspace: Workspace, api: Api) -> None:
    with (
        workspace.experiment("exp").start_run() as parent,
        parent.child_run("c1"),
        parent.child_run("c2"),
    ):
        pass
    top = await api("GET", "runs", {"experiment": "exp"})
    assert [r["id"] for r in top.json["runs"]] == [parent.id]
    children = await api("GET", "runs", {"parent_id": parent.id, "sort": "number", "order": "asc"})
    assert [r["display_name"] for r in children.json["runs"]] == ["c1", "c2"]
    details = await api("GET", f"runs/{parent.id}")
    assert details.json["has_children"] is True


async def test_metrics_latest_and_downsampled_history(workspace: Workspace, api: Api) -> None:
    values = [float(i % 100) for i in range(5000)]
    run = tracked_run(workspace, loss=values)
    latest = await api("GET", f"runs/{run.id}/metrics")
    (loss,) = latest.json["metrics"]
    assert loss["key"] == "loss" and loss["count"] == 5000 and loss["max"] == 99.0
    full = await api("GET", f"runs/{run.id}/metrics/history", {"key": "loss"})
    assert full.json["values"] == values
    small = await api("GET", f"runs/{run.id}/metrics/history", {"key": "loss", "max_points": 200})
    assert 2 <= len(small.json["steps"]) <= 200
    assert max(small.json["values"]) == 99.0 and min(small.json["values"]) == 0.0
    unknown = await api("GET", f"runs/{run.id}/metrics/history", {"key": "acc"})
    assert unknown.status == 404


async def test_logged_tables_rows_and_images_are_listed(
    workspace: Workspace, api: Api, tmp_path: Path
) -> None:
    image = tmp_path / "curve.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with workspace.experiment("values").start_run() as run:
        run.log_row("per_epoch", epoch=0, acc=0.5)
        run.log_row("per_epoch", epoch=1, acc=0.75)
        run.log_table("confusion", {"label": ["cat", "dog"], "cat": [9, 1]})
        run.log_image("curve", path=image)
    reply = await api("GET", f"runs/{run.id}/values")
    values = reply.json["values"]
    assert [(v["key"], v["kind"], v["seq"]) for v in values] == [  # by name, then order
        ("confusion", "table", 1),
        ("curve", "image", 1),
        ("per_epoch", "row", 1),
        ("per_epoch", "row", 2),
    ]
    assert values[3]["value"] == {"epoch": 1, "acc": 0.75}
    assert values[0]["value"] == {"label": ["cat", "dog"], "cat": [9, 1]}
    content = await api(
        "GET", f"runs/{run.id}/artifacts/content", {"path": values[1]["value"]["path"]}
    )
    assert content.status == 200
    missing = await api("GET", "runs/nosuchrun/values")
    assert missing.status == 404


async def test_nan_metric_is_a_string_not_invalid_json(workspace: Workspace, api: Api) -> None:
    run = tracked_run(workspace, loss=[1.0, float("nan")])
    reply = await api("GET", f"runs/{run.id}")
    assert reply.json["metrics"]["loss"] == "nan"
    history = await api("GET", f"runs/{run.id}/metrics/history", {"key": "loss"})
    assert history.json["values"] == [1.0, "nan"]


async def test_log_tail_by_offset_follows_appends(workspace: Workspace, api: Api) -> None:
    run = tracked_run(workspace, log_text="first line\n")
    first = await api("GET", f"runs/{run.id}/logs")
    assert first.json["text"] == "first line\n"
    offset = first.json["next_offset"]
    workspace.store.append_log(run.id, "std_log.txt", offset, "sécond\n".encode())
    second = await api("GET", f"runs/{run.id}/logs", {"offset": offset})
    assert second.json["text"] == "sécond\n"
    assert second.json["next_offset"] == offset + len("sécond\n".encode())
    idle = await api("GET", f"runs/{run.id}/logs", {"offset": second.json["next_offset"]})
    assert idle.json["text"] == "" and idle.json["next_offset"] == second.json["next_offset"]


async def test_a_log_not_written_yet_reads_empty(workspace: Workspace, api: Api) -> None:
    run = tracked_run(workspace)
    reply = await api("GET", f"runs/{run.id}/logs", {"name": "later.txt"})
    assert reply.status == 200 and reply.json == {
        "name": "later.txt",
        "offset": 0,
        "next_offset": 0,
        "text": "",
    }


async def test_log_reads_never_split_a_character(workspace: Workspace, api: Api) -> None:
    run = tracked_run(workspace, log_text="é" * 10)
    part = await api("GET", f"runs/{run.id}/logs", {"max_bytes": 3})
    assert part.json["text"] == "é"
    rest = await api("GET", f"runs/{run.id}/logs", {"offset": part.json["next_offset"]})
    assert part.json["text"] + rest.json["text"] == "é" * 10


async def test_cancel_an_interactive_run(workspace: Workspace, api: Api) -> None:
    run = workspace.experiment("exp").start_logging()
    reply = await api("POST", f"runs/{run.id}/cancel")
    assert reply.status == 200 and reply.json["status"] == "Canceled"
    again = await api("POST", f"runs/{run.id}/cancel")
    assert again.status == 200 and again.json["status"] == "Canceled"


async def test_rerun_of_an_interactive_run_is_a_conflict(workspace: Workspace, api: Api) -> None:
    run = tracked_run(workspace)
    reply = await api("POST", f"runs/{run.id}/rerun")
    assert reply.status == 409 and reply.json["error_code"] == "RESOURCE_CONFLICT"
