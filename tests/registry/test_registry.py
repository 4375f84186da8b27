"""The model registry: versions, files, search, aliases, deletion."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlws import Workspace
from jupyter_mlws.entities import ModelVersion
from jupyter_mlws.exceptions import (
    InvalidParameterError,
    ResourceAlreadyExistsError,
    ResourceConflictError,
    ResourceNotFoundError,
)
from jupyter_mlws.registry import parse_model_ref


def test_versions_count_up_per_name(ws: Workspace, model_file: Path) -> None:
    first = ws.register_model("churn", model_file, description="baseline", framework="numpy")
    second = ws.register_model("churn", model_file)
    other = ws.register_model("fraud", model_file)
    assert (first.ref, second.ref, other.ref) == ("churn:1", "churn:2", "fraud:1")
    assert first.root == "model.bin" and first.file_count == 1 and first.total_bytes == 10
    assert first.description == "baseline" and first.framework == "numpy"
    assert ws.model("churn").version == 2  # the latest
    assert ws.model("churn:1") == first
    assert ws.model("churn", version=1) == first


def test_a_folder_round_trips_through_download(
    ws: Workspace, model_folder: Path, tmp_path: Path
) -> None:
    version = ws.register_model("bundle", model_folder)
    assert version.root == "bundle" and version.file_count == 2
    assert [f.path for f in ws.model_registry.files(version)] == [
        "bundle/sub/vocab.txt",
        "bundle/weights.bin",
    ]
    target = ws.download_model("bundle:1", tmp_path / "out")
    assert target == tmp_path / "out" / "bundle"
    assert (target / "weights.bin").read_bytes() == (model_folder / "weights.bin").read_bytes()
    assert (target / "sub" / "vocab.txt").read_text() == "a\nb\n"
    with pytest.raises(ResourceAlreadyExistsError):
        ws.download_model("bundle:1", tmp_path / "out")
    (target / "weights.bin").write_bytes(b"changed")
    ws.download_model("bundle", tmp_path / "out", exist_ok=True)
    assert (target / "weights.bin").read_bytes() == (model_folder / "weights.bin").read_bytes()


def test_search_by_name_tags_and_properties(ws: Workspace, model_file: Path) -> None:
    ws.register_model("a", model_file, tags={"stage": "dev"}, properties={"auc": 0.8})
    ws.register_model("a", model_file, tags={"stage": "prod", "team": "x"})
    ws.register_model("b", model_file, tags={"stage": "prod"}, properties={"auc": "0.9"})

    def refs(found: list[ModelVersion]) -> list[str]:
        return [m.ref for m in found]

    assert refs(ws.models()) == ["a:2", "a:1", "b:1"]
    assert refs(ws.models("a")) == ["a:2", "a:1"]
    assert refs(ws.models(tags={"stage": "prod"})) == ["a:2", "b:1"]
    assert refs(ws.models(tags=["team"])) == ["a:2"]
    assert refs(ws.models(tags=["stage=prod", "team=x"])) == ["a:2"]
    assert refs(ws.models(properties={"auc": "0.9"})) == ["b:1"]
    assert refs(ws.models(properties=["auc"])) == ["a:1", "b:1"]
    assert refs(ws.models(latest=True)) == ["a:2", "b:1"]
    assert ws.model("a:1").properties == {"auc": "0.8"}


def test_tags_change_later(ws: Workspace, model_file: Path) -> None:
    ws.register_model("m", model_file, tags={"stage": "dev", "temp": "1"})
    changed = ws.model_registry.add_tags("m:1", {"stage": "prod"}, remove=["temp"])
    assert changed.tags == {"stage": "prod"}


def test_aliases_are_set_moved_and_removed(ws: Workspace, model_file: Path) -> None:
    ws.register_model("m", model_file)
    ws.register_model("m", model_file)
    assert ws.set_model_alias("m:1", "production").aliases == ("production",)
    assert ws.model("m@production").version == 1
    ws.set_model_alias("m:2", "production")  # moves
    assert ws.model("m@production").version == 2
    assert ws.model("m:1").aliases == ()
    ws.set_model_alias("m:1", "staging")
    assert ws.model("m", alias="staging").version == 1
    ws.model_registry.remove_alias("m", "staging")
    with pytest.raises(ResourceNotFoundError, match="no alias 'staging'"):
        ws.model("m@staging")
    for bad in ("latest", "1st", "a b", ""):
        with pytest.raises(InvalidParameterError):
            ws.set_model_alias("m:1", bad)


@pytest.mark.parametrize("ref", ["m:0", "m:x", "m:-1", "bad name", "m@", ":1", "m:1@prod", "../m"])
def test_malformed_references_are_refused(ref: str) -> None:
    with pytest.raises(InvalidParameterError):
        parse_model_ref(ref)


def test_references_parse(ws: Workspace) -> None:
    assert str(parse_model_ref("m")) == "m"
    assert parse_model_ref("m:latest").version is None
    assert parse_model_ref("m:7").version == 7
    assert parse_model_ref("m@prod").alias == "prod"


def test_missing_models_and_paths(ws: Workspace, model_file: Path, tmp_path: Path) -> None:
    with pytest.raises(ResourceNotFoundError, match="model 'nope' does not exist"):
        ws.model("nope")
    ws.register_model("m", model_file)
    with pytest.raises(ResourceNotFoundError, match="no version 5"):
        ws.model("m:5")
    with pytest.raises(InvalidParameterError, match="no such file or folder"):
        ws.register_model("m", tmp_path / "missing.bin")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidParameterError, match="has no files"):
        ws.register_model("m", tmp_path / "empty")
    assert ws.model("m").version == 1  # failed registrations used no version number


def test_deleted_versions_are_gone_and_their_numbers_never_reused(
    ws: Workspace, model_file: Path
) -> None:
    ws.register_model("m", model_file)
    ws.register_model("m", model_file)
    ws.set_model_alias("m:2", "production")
    assert ws.delete_model("m:2").ref == "m:2"
    with pytest.raises(ResourceNotFoundError):
        ws.model("m:2")
    with pytest.raises(ResourceNotFoundError):
        ws.model("m@production")
    assert ws.model("m").version == 1
    assert ws.register_model("m", model_file).version == 3


def test_delete_is_refused_while_an_endpoint_serves_the_version(
    ws: Workspace, model_file: Path
) -> None:
    ws.register_model("m", model_file)
    ws.store.create_endpoint(
        "scoring",
        bind="127.0.0.1",
        port=None,
        workers=1,
        auth="key",
        config={},
        models=[("m", 1)],
    )
    with pytest.raises(ResourceConflictError) as info:
        ws.delete_model("m:1")
    assert info.value.message == (
        "model m:1 is deployed to endpoint(s) scoring; update or delete those endpoints first"
    )
    assert ws.model("m:1").version == 1
    ws.store.delete_endpoint("scoring")
    ws.delete_model("m:1")
