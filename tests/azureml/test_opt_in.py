"""The opt-in: v1 module paths resolve to the layer, only without a real azureml-core,
and submitted code that imports azureml gets the layer on its own."""

from __future__ import annotations

import textwrap
from pathlib import Path

from azureml_helpers import clean_env, run_python

from jupyter_mlws import ScriptRunConfig, Workspace
from jupyter_mlws.entities import RunStatus

V1_MODULES = [
    "azureml.core",
    "azureml.core.model",
    "azureml.core.webservice",
    "azureml.core.environment",
    "azureml.core.conda_dependencies",
    "azureml.core.compute",
    "azureml.core.runconfig",
    "azureml.data",
    "azureml.train.hyperdrive",
    "azureml.pipeline.core",
    "azureml.pipeline.steps",
    "azureml.widgets",
]


def test_every_v1_module_path_resolves_to_the_layer(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import importlib, sys
        try:
            import azureml.core
        except ImportError:
            print("absent before the opt-in")
        import jupyter_mlws.azureml
        for name in {V1_MODULES!r}:
            module = importlib.import_module(name)
            assert module is sys.modules["jupyter_mlws." + name], name
            assert module.__spec__.name == "jupyter_mlws." + name, name
        from azureml.core import Workspace, Experiment, Run, ScriptRunConfig, Model
        from azureml.core.compute_target import ComputeTargetException
        from azureml.exceptions import WebserviceException
        print("ok", Run.__module__)
        """
    )
    done = run_python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "absent",
        "before",
        "the",
        "opt-in",
        "ok",
        "jupyter_mlws.azureml.core.run",
    ]


def test_a_real_azureml_core_makes_the_opt_in_refuse_and_change_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    meta = site / "azureml_core-1.61.0.dist-info"
    meta.mkdir(parents=True)
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: azureml-core\nVersion: 1.61.0\n")
    code = textwrap.dedent(
        """
        import sys, os
        import jupyter_mlws.azureml as layer
        assert not layer.is_active()
        assert not any(type(f).__name__ == "AliasFinder" for f in sys.meta_path)
        assert "MLWS_AZUREML" not in os.environ
        try:
            import azureml.core
        except ImportError:
            print("untouched")
        """
    )
    done = run_python(code, tmp_path, PYTHONPATH=str(site))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "untouched"
    assert "azureml-core 1.61.0 is installed" in done.stderr
    assert "compatibility layer stays off" in done.stderr


TRAIN = """\
from azureml.core import Run

run = Run.get_context()
run.log("accuracy", 0.91)
print("logged through", type(run).__module__)
"""


def test_a_submitted_script_importing_azureml_gets_the_layer_without_the_opt_in(
    tmp_path: Path,
) -> None:
    """Submitted natively, by a process that never opted in: the runner sees the import."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(TRAIN)
    ws = Workspace.current()
    run = ws.experiment("detect").submit(ScriptRunConfig(source_dir=src, script="train.py"))
    run.wait_for_completion(timeout=120)
    assert run.get_metrics() == {"accuracy": 0.91}
    assert "logged through jupyter_mlws.azureml.core.run" in run.get_logs()


def test_mlws_azureml_0_turns_the_detection_off(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(TRAIN)
    monkeypatch.setenv("MLWS_AZUREML", "0")
    monkeypatch.setenv("PYTHONPATH", clean_env().get("PYTHONPATH", ""))
    ws = Workspace.current()
    run = ws.experiment("detect").submit(ScriptRunConfig(source_dir=src, script="train.py"))
    run.wait_for_completion(timeout=120, raise_on_error=False)
    assert run.status is RunStatus.FAILED
    assert "No module named 'azureml'" in (run.record.error or {}).get("message", "")


def test_a_submitted_notebook_importing_azureml_gets_the_layer(tmp_path: Path) -> None:
    from helpers import write_notebook

    from jupyter_mlws import NotebookRunConfig

    nb = write_notebook(
        tmp_path / "nb" / "train.ipynb",
        None,
        ["from azureml.core import Run\nrun = Run.get_context()", "run.log('cells', 2)"],
    )
    ws = Workspace.current()
    run = ws.experiment("detect").submit(NotebookRunConfig(notebook=nb))
    run.wait_for_completion(timeout=180)
    assert run.get_metrics() == {"cells": 2}
