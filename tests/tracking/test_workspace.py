import json
import os
from pathlib import Path

import pytest

from jupyter_mlws import Workspace
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError, WorkspaceError
from jupyter_mlws.store import engine


def test_init_creates_embedded_default(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    assert ws.root == (tmp_path / "proj" / ".mlws").resolve()
    config = json.loads((ws.root / "workspace.json").read_text())
    assert config["db_url"] == "sqlite:///mlws.db"
    assert (ws.root / "mlws.db").is_file()
    assert ws.db_url.startswith("sqlite:////")


def test_current_walks_up_to_nearest_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace.init(tmp_path / "proj")
    deep = tmp_path / "proj" / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.delenv("MLWS_WORKSPACE", raising=False)
    monkeypatch.chdir(deep)
    assert Workspace.current().root == ws.root


def test_env_variable_wins_over_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = Workspace.init(tmp_path / "other")
    Workspace.init(tmp_path / "proj")
    monkeypatch.chdir(tmp_path / "proj")
    monkeypatch.setenv("MLWS_WORKSPACE", str(tmp_path / "other"))
    assert Workspace.current().root == other.root


def test_falls_back_to_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLWS_WORKSPACE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    ws = Workspace.current()
    assert ws.root == tmp_path / "home" / ".mlws"
    assert (ws.root / "workspace.json").is_file()


def test_open_missing_workspace_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="mlws init"):
        Workspace.open(tmp_path / "nowhere")


def test_corrupt_config_names_the_fix(tmp_path: Path) -> None:
    root = tmp_path / "proj" / ".mlws"
    root.mkdir(parents=True)
    (root / "workspace.json").write_text("{not json")
    with pytest.raises(WorkspaceError, match=r"not valid JSON.*mlws init --force"):
        Workspace.open(tmp_path / "proj")


def test_unknown_setting_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "proj" / ".mlws"
    root.mkdir(parents=True)
    (root / "workspace.json").write_text(json.dumps({"db_urll": "x"}))
    with pytest.raises(WorkspaceError, match="unknown or misspelled"):
        Workspace.open(tmp_path / "proj")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    with ws.store.write() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(WorkspaceError, match="upgrade"):
        engine.ensure_schema(engine.make_engine(ws.db_url))


def test_unknown_run_and_experiment(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    with pytest.raises(ResourceNotFoundError):
        ws.get_run("0" * 32)
    with pytest.raises(ResourceNotFoundError):
        ws.store.get_experiment("nope")


def test_get_run_takes_the_references_the_cli_takes(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    with ws.experiment("mnist").start_run() as first:
        pass
    with ws.experiment("mnist").start_run() as second:
        pass
    assert ws.get_run("mnist:2").id == second.id
    assert ws.get_run(first.id[:6]).id == first.id
    assert ws.get_run(first.id).id == first.id
    with pytest.raises(ResourceNotFoundError, match="mnist:9"):
        ws.get_run("mnist:9")
    with pytest.raises(InvalidParameterError, match="too short"):
        ws.get_run(first.id[:4])


def test_details_hide_database_password(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "proj")
    ws.db_url = "postgresql+psycopg://me:s3cret@db/mlws"
    assert "s3cret" not in json.dumps(ws.details())
    assert os.fspath(ws.root) in ws.details()["root"]
