"""Defining and registering environments: versions, v1 names, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlws import CondaDependencies, Environment, Workspace
from jupyter_mlws.environments import EnvironmentSpec
from jupyter_mlws.exceptions import InvalidParameterError, ResourceNotFoundError


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "proj")


def test_same_spec_same_version_changed_spec_next_version(ws: Workspace, tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("# pinned\nsix==1.16.0  # tiny\n\n")
    first = Environment.from_pip_requirements("sk", req).register(ws)
    again = Environment.from_pip_requirements("sk", req).register(ws)
    assert (first.version, again.version) == (1, 1)
    assert first.pip_packages == ["six==1.16.0"]
    changed = Environment.from_pip_requirements("sk", req)
    changed.environment_variables = {"OMP_NUM_THREADS": "1"}
    assert changed.register(ws).version == 2
    assert Environment.get(ws, "sk").version == 2
    assert Environment.get(ws, "sk", version=1).environment_variables == {}
    assert list(Environment.list(ws)) == ["sk"]
    with pytest.raises(ResourceNotFoundError, match="sk:9"):
        Environment.get(ws, "sk", version=9)


def test_conda_specification_takes_pip_and_python_and_refuses_conda_only(tmp_path: Path) -> None:
    good = tmp_path / "env.yml"
    good.write_text(
        "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip\n"
        "  - pip:\n    - six==1.16.0\n"
    )
    env = Environment.from_conda_specification("c", good)
    assert env.python_version == "3.11" and env.pip_packages == ["six==1.16.0"]
    conda_only = tmp_path / "conda.yml"
    conda_only.write_text("dependencies:\n  - python=3.11\n  - cudatoolkit=11.8\n  - mkl\n")
    with pytest.raises(InvalidParameterError, match=r"cudatoolkit=11\.8, mkl"):
        Environment.from_conda_specification("c", conda_only)
    malformed = tmp_path / "bad.yml"
    malformed.write_text("dependencies: [a\n")
    with pytest.raises(InvalidParameterError, match="malformed") as info:
        Environment.from_conda_specification("c", malformed)
    assert "\n" not in str(info.value)
    deps = CondaDependencies.create(pip_packages=["six"], python_version="3.11")
    assert deps.pip_packages == ["six"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"A=B": "1"}, "no '='"),
        ({"1A": "1"}, "not starting with a digit"),
        ({"N": 1}, "must be a string, got int"),
    ],
)
def test_bad_environment_variables_are_refused(values: dict, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        EnvironmentSpec.build(["six"], env_vars=values)


def test_other_bad_input_gets_one_line_errors(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="does not exist"):
        Environment.from_pip_requirements("sk", tmp_path / "missing.txt")
    with pytest.raises(InvalidParameterError, match=r"major\.minor"):
        EnvironmentSpec.build(["six"], python="3")
    with pytest.raises(InvalidParameterError, match="name"):
        Environment("bad name")
    env = Environment("old")
    env.python_version = "3.2"
    env.pip_packages = ["six"]
    from jupyter_mlws.environments.interpreters import find

    with pytest.raises(InvalidParameterError, match=r"python 3\.2 is not on this machine; avai"):
        find("3.2")
    inherit = Environment("inherit")
    assert inherit.python.user_managed_dependencies
    with pytest.raises(InvalidParameterError, match="nothing to register"):
        inherit.register(ws)
