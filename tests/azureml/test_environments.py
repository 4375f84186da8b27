"""v1 environments as v1 code writes them, built as native environments: real builds
from the package index, real runner processes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from jupyter_mlws.compute.run_environment import PROPERTY

PROBE = """\
import json, sys
import six
from azureml.core import Run
run = Run.get_context()
run.log("probe", 1)
print("PROBE " + json.dumps({"six": six.__version__, "prefix": sys.prefix}))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "probe.py").write_text(PROBE)
    return src


def test_conda_and_pip_packages_map_to_pip_requirements() -> None:
    from jupyter_mlws.azureml.core.environment_mapping import conda_to_pip, map_packages

    assert conda_to_pip("conda-forge::numpy=1.26") == "numpy==1.26.*"
    assert conda_to_pip("scikit-learn==1.0.2") == "scikit-learn==1.0.2"
    assert conda_to_pip("pandas=2.1.4=py311h_0") == "pandas==2.1.4"
    assert conda_to_pip("pytorch>=2") == "torch>=2"
    assert conda_to_pip("cudatoolkit=11.3") is None
    mapped = map_packages(
        ["azureml-defaults", "azureml-dataset-runtime[pandas,fuse]", "azureml_core", "six"],
        ["python=3.11", "pip", "mkl", "scikit-learn"],
    )
    assert mapped.requirements == ("scikit-learn", "six")
    assert set(mapped.dropped) == {
        "azureml-defaults",
        "azureml-dataset-runtime[pandas,fuse]",
        "azureml_core",
        "mkl",
    }


def test_a_v1_environment_is_built_and_the_run_uses_it(v1: object, project: Path) -> None:
    from azureml.core import Environment, Experiment, ScriptRunConfig, Workspace
    from azureml.core.conda_dependencies import CondaDependencies

    ws = Workspace.from_config()
    env = Environment("six-env")
    env.python.conda_dependencies = CondaDependencies.create(
        pip_packages=["azureml-defaults", "six==1.16.0"], conda_packages=["pip"]
    )
    env.environment_variables = {"STAGE": "test"}
    env.docker.base_image = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04"
    config = ScriptRunConfig(source_directory=str(project), script="probe.py", environment=env)
    run = Experiment(ws, "v1-env").submit(config)
    run.wait_for_completion(show_output=False)
    assert run.get_status() == "Completed"
    assert run.get_properties()[PROPERTY] == "six-env:1"
    probe = _probe(ws, run.id)
    assert probe["six"] == "1.16.0" and probe["prefix"] != sys.prefix
    assert run.get_metrics()["probe"] == 1
    assert run.get_details()["runDefinition"]["environment"]["name"] == "six-env"

    # The same definition again is the same version; the registry answers v1's calls.
    assert env.register(ws).version == "1"
    fetched = Environment.get(ws, "six-env")
    assert fetched.python.conda_dependencies.pip_packages == ["six==1.16.0"]
    assert fetched.environment_variables == {"STAGE": "test"}
    assert fetched.docker.base_image == env.docker.base_image
    assert list(Environment.list(ws)) == ["six-env"] and "six-env" in ws.environments


def test_the_dockerfile_export_starts_from_the_v1_base_image(v1: object, tmp_path: Path) -> None:
    from azureml.core import Environment, Workspace

    from jupyter_mlws.environments.dockerfile import write_context
    from jupyter_mlws.services import environments

    ws = Workspace.from_config()
    env = Environment("docker-env")
    env.python.conda_dependencies.add_pip_package("six==1.16.0")
    env.docker.base_image = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04"
    env.register(ws)
    write_context(environments.get(ws, "docker-env"), tmp_path / "ctx")
    dockerfile = (tmp_path / "ctx" / "Dockerfile").read_text()
    assert "FROM mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04" in dockerfile

    custom = Environment("custom-docker")
    custom.docker.base_dockerfile = "FROM ubuntu:22.04\nRUN apt-get update\n"
    custom.register(ws)
    write_context(environments.get(ws, "custom-docker"), tmp_path / "ctx2")
    text = (tmp_path / "ctx2" / "Dockerfile").read_text()
    assert "FROM ubuntu:22.04\nRUN apt-get update" in text and "python:" not in text


def test_curated_names_resolve_to_their_local_equivalents(v1: object) -> None:
    import importlib.metadata

    from azureml.core import Environment, Workspace
    from azureml.exceptions import UserErrorException

    ws = Workspace.from_config()
    minimal = Environment.get(ws, "AzureML-Minimal")
    assert minimal.python.user_managed_dependencies  # this interpreter: nothing to build
    sklearn = Environment.get(ws, "AzureML-sklearn-1.0-ubuntu20.04-py38-cpu")
    pins = sklearn.python.conda_dependencies.pip_packages
    assert f"scikit-learn=={importlib.metadata.version('scikit-learn')}" in pins
    assert sklearn.version == "1" and "AzureML-sklearn-1.0-ubuntu20.04-py38-cpu" in ws.environments
    with pytest.raises(UserErrorException, match="no local equivalent; known families"):
        Environment.get(ws, "AzureML-Quantum-1")


def test_a_pin_this_python_cannot_install_fails_the_run_naming_it(
    v1: object, project: Path
) -> None:
    from azureml.core import Environment, Experiment, ScriptRunConfig, Workspace
    from azureml.core.conda_dependencies import CondaDependencies

    ws = Workspace.from_config()
    env = Environment("too-old")
    env.python.conda_dependencies = CondaDependencies.create(
        conda_packages=["six==0.0.1"], pip_packages=["azureml-defaults"]
    )
    run = Experiment(ws, "v1-env").submit(
        ScriptRunConfig(source_directory=str(project), script="probe.py", environment=env)
    )
    with pytest.raises(Exception):  # noqa: B017 - v1 raises ActivityFailedException
        run.wait_for_completion(raise_on_error=True)
    assert run.get_status() == "Failed"
    assert "six==0.0.1" in json.dumps(run.get_details()["error"])


def _probe(ws: object, run_id: str) -> dict[str, object]:
    from jupyter_mlws.tracking.run import LOG_NAME

    text = ws.store.read_log(run_id, LOG_NAME)[0].decode()  # type: ignore[attr-defined]
    line = next(x for x in text.splitlines() if x.startswith("PROBE "))
    return dict(json.loads(line[len("PROBE ") :]))
