"""Datastores, datasets, lineage and key-vault names over REST (checked against
openapi.yaml): credentials and secret values never appear in an answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlws.data import Dataset, Datastore
from jupyter_mlws.workspace import Workspace

from .conftest import Api

pytestmark = pytest.mark.usefixtures("jp_serverapp")

SECRET = "rest-secret-value-42"


async def test_data_views_and_no_secret_in_any_answer(
    workspace: Workspace, api: Api, tmp_path: Path
) -> None:
    folder = tmp_path / "lake"
    folder.mkdir()
    (folder / "t.csv").write_text("a,b\n1,x\n2,\n")
    workspace.get_default_keyvault().set_secret("token", SECRET)
    store = Datastore.register(workspace, "lake", folder.as_uri(), {"password": SECRET})
    ds = Dataset.Tabular.from_delimited_files(path=(store, "t.csv")).register(workspace, "t")
    assert ds.version == 1

    answers = [
        await api("GET", "datastores"),
        await api("GET", "datastores/lake"),
        await api("GET", "datasets"),
        await api("GET", "datasets/t:1"),
        await api("GET", "datasets/t/profile"),
        await api("GET", "datasets/t:1/lineage"),
        await api("GET", "secrets"),
    ]
    assert [a.status for a in answers] == [200] * 7
    for answer in answers:
        assert SECRET.encode() not in answer.body
    assert answers[1].json["options"] == {"password": {"secret": "datastore.lake.password"}}
    assert [d["ref"] for d in answers[2].json["datasets"]] == ["t:1"]
    assert answers[3].json["files"] == [{"path": "t.csv", "size": 11}]
    assert answers[4].json["rows"] == 2
    assert answers[5].json["read_by"] == []
    names = {s["name"] for s in answers[6].json["secrets"]}
    assert names == {"token", "datastore.lake.password"}


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("datasets/nope", 404, "RESOURCE_DOES_NOT_EXIST"),
        ("datasets/t:9", 404, "RESOURCE_DOES_NOT_EXIST"),
        ("datasets/t:x", 400, "INVALID_PARAMETER_VALUE"),
        ("datastores/nope", 404, "RESOURCE_DOES_NOT_EXIST"),
        ("datasets/files/profile", 400, "INVALID_PARAMETER_VALUE"),
    ],
)
async def test_bad_data_requests_are_4xx(
    workspace: Workspace, api: Api, tmp_path: Path, path: str, status: int, code: str
) -> None:
    (tmp_path / "f.txt").write_text("x")
    store = Datastore.register(workspace, "here", tmp_path.as_uri())
    Dataset.File.from_files(path=(store, "f.txt")).register(workspace, "files")
    Dataset.File.from_files(path=(store, "f.txt")).register(workspace, "t")
    reply = await api("GET", path)
    assert (reply.status, reply.json["error_code"]) == (status, code)
