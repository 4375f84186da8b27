"""``Workspace.from_config`` and the v1 workspace attributes and listings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_mlws import Workspace as NativeWorkspace

CONFIG = {"subscription_id": "sub-123", "resource_group": "rg-ml", "workspace_name": "team-ws"}


def test_from_config_searches_like_v1_and_keeps_the_names(
    v1: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from azureml.core import Workspace

    project = tmp_path / "project"
    (project / ".azureml").mkdir(parents=True)
    (project / ".azureml" / "config.json").write_text(json.dumps(CONFIG))
    deep = project / "notebooks" / "day1"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)  # v1 walks up from the current folder

    ws = Workspace.from_config()
    assert (ws.name, ws.subscription_id, ws.resource_group) == ("team-ws", "sub-123", "rg-ml")
    assert ws.location == "local"
    assert ws.root == Workspace.current().root  # the local workspace behind it
    assert f"read {project / '.azureml' / 'config.json'}" in capsys.readouterr().err


def test_from_config_reads_a_given_path_and_a_named_local_workspace(
    v1: object, tmp_path: Path
) -> None:
    from azureml.core import Workspace

    config = tmp_path / "cfg" / "config.json"
    config.parent.mkdir()
    config.write_text(json.dumps({**CONFIG, "mlws_workspace": "../team"}))
    team = NativeWorkspace.init(tmp_path / "team")
    ws = Workspace.from_config(path=str(config.parent))
    assert ws.root == team.root != NativeWorkspace.current().root
    assert ws.name == "team-ws"


def test_without_config_the_current_workspace_and_azure_only_calls_accept_their_arguments(
    v1: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from azureml.core import Workspace, set_diagnostics_collection
    from azureml.core.authentication import InteractiveLoginAuthentication

    ws = Workspace.from_config(auth=InteractiveLoginAuthentication(tenant_id="t"))
    assert ws.root == Workspace.current().root
    set_diagnostics_collection(send_diagnostics=True)
    got = Workspace.get(name="x", subscription_id="s", resource_group="g", location="westeurope")
    made = Workspace.create(name="y", subscription_id="s", resource_group="g", exist_ok=True)
    assert got.root == made.root == ws.root
    assert (got.name, got.subscription_id, got.resource_group) == ("x", "s", "g")
    err = capsys.readouterr().err
    assert "found no config.json" in err
    assert "no Azure sign-in here" in err
    assert "nothing is sent anywhere" in err
    assert ws.write_config().is_file()
    assert Workspace.from_config().name == ws.name


def test_dict_like_listings_and_experiment_list(v1: object, tmp_path: Path) -> None:
    from azureml.core import Experiment, Model, Workspace

    ws = Workspace.from_config()
    assert ws.experiments == {} and ws.models == {} and ws.webservices == {}
    assert ws.compute_targets == {} and ws.environments == {}
    assert ws.datasets == {} and list(ws.datastores) == ["workspaceblobstore"]
    with Experiment(ws, "first").start_logging() as run:
        run.log("x", 1)
    Experiment(ws, "second")
    (tmp_path / "m.pkl").write_bytes(b"model")
    Model.register(ws, model_path=str(tmp_path / "m.pkl"), model_name="m")
    Model.register(ws, model_path=str(tmp_path / "m.pkl"), model_name="m")
    assert sorted(ws.experiments) == ["first", "second"]
    assert isinstance(ws.experiments["first"], Experiment)
    assert ws.models["m"].version == 2  # the latest version, as v1 lists them
    assert [e.name for e in Experiment.list(ws)] == ["first", "second"]
    assert [e.name for e in Experiment.list(ws, experiment_name="second")] == ["second"]
    ws.experiments["second"].archive()
    assert [e.name for e in Experiment.list(ws)] == ["first"]
    assert len(ws.experiments(include_archived=True)) == 2  # the native call still works
