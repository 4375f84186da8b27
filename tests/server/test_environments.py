"""REST: environment versions with build state, checked against openapi.yaml."""

from __future__ import annotations

from jupyter_mlws.environments import EnvironmentSpec, registry
from jupyter_mlws.workspace import Workspace

from .conftest import Api


async def test_environments_are_listed_with_versions_and_build_state(
    api: Api, workspace: Workspace
) -> None:
    registry.register(workspace.store, "sk", EnvironmentSpec.build(["six==1.16.0"]))
    registry.register(workspace.store, "sk", EnvironmentSpec.build(["six==1.15.0"], "3.11"))
    workspace.store.set_environment_state("sk", 2, registry.FAILED, error="no such version")

    listed = (await api("GET", "environments")).json["environments"]
    assert [(e["ref"], e["state"]) for e in listed] == [("sk:1", "NotBuilt"), ("sk:2", "Failed")]
    assert listed[1]["error"] == "no such version"
    assert listed[1]["spec"]["python"] == "3.11"

    one = await api("GET", "environments/sk:1")
    assert one.json["spec"]["requirements"] == ["six==1.16.0"]
    latest = await api("GET", "environments/sk")
    assert latest.json["version"] == 2


async def test_unknown_or_malformed_environments_are_4xx(api: Api) -> None:
    missing = await api("GET", "environments/nope")
    assert missing.status == 404 and missing.json["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    bad = await api("GET", "environments/sk:zero")
    assert bad.status == 400 and bad.json["error_code"] == "INVALID_PARAMETER_VALUE"
