"""YAML pipeline files: the same Pipeline objects as Python ones, submitted from the CLI;
every mistake named by step and field, never a traceback."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import mlws_cli, write_notebook
from pipeline_helpers import PREP, TRAIN, write

from jupyter_mlws import Workspace
from jupyter_mlws.pipeline import NotebookStep, PythonScriptStep
from jupyter_mlws.pipeline.loading import load_pipeline_file
from jupyter_mlws.pipeline.yaml_file import PipelineYamlError

PIPELINE = """
description: prepare then train
parameters:
  lr: 0.1
steps:
  - name: prepare
    script: prep.py
    source_directory: src
    arguments: [--out, "${{outputs.prepared}}", "x"]
    outputs: [prepared]
    compute_target: local
    allow_reuse: true
  - name: train
    notebook: train.ipynb
    source_directory: src
    inputs: [prepared]
    parameters:
      lr: "${{parameters.lr}}"
      data: "${{inputs.prepared}}"
"""

NOTEBOOK_CELL = """
import os
print("read", open(os.path.join(data, "data.txt")).read(), "lr", lr)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    write(folder / "src", "prep.py", PREP)
    write(folder / "src", "train.py", TRAIN)
    write_notebook(folder / "src" / "train.ipynb", "lr = 1.0\ndata = ''", [NOTEBOOK_CELL])
    write(folder, "pipeline.yaml", PIPELINE)
    return folder


def test_a_yaml_file_loads_onto_the_native_pipeline(ws: Workspace, project: Path) -> None:
    pipeline = load_pipeline_file(ws, project / "pipeline.yaml")
    prep, train = pipeline.steps
    assert isinstance(prep, PythonScriptStep) and isinstance(train, NotebookStep)
    assert prep.source_directory == (project / "src").resolve()
    assert [type(a).__name__ for a in prep.arguments] == ["str", "PipelineData", "str"]
    assert prep.outputs[0] is train.inputs[0] is train.parameters["data"]
    assert {n: p.default_value for n, p in pipeline.parameters().items()} == {"lr": 0.1}
    assert pipeline.validate() == ["prepare", "train"]
    assert pipeline.description == "prepare then train"


def test_mlws_pipeline_submit_runs_a_yaml_file(project: Path, tmp_path: Path) -> None:
    mlws_cli(tmp_path, "init")
    done = mlws_cli(tmp_path, "pipeline", "submit", str(project / "pipeline.yaml"),
                    "-p", "lr=0.05", "--wait")  # fmt: skip
    assert "Completed" in done.stdout.splitlines()[-3] or "Completed" in done.stdout
    lines = [line for line in done.stdout.splitlines() if line.startswith(("prepare", "train"))]
    assert len(lines) == 2 and all("Completed" in line for line in lines), done.stdout


BAD = [
    ("steps: [\n  - name: a\n", None, None, "not valid YAML at line"),
    ("stepz: []\n", None, None, "unknown field(s) stepz"),
    ("steps: []\n", None, "steps", "non-empty list"),
    ("steps:\n  - script: prep.py\n", None, "name", "needs a name"),
    ("steps:\n  - name: a\n    script: prep.py\n    colour: red\n", "a", None, "'colour'"),
    ("steps:\n  - name: a\n    source_directory: src\n", "a", "script", "exactly one of"),
    (
        "steps:\n  - name: a\n    script: prep.py\n    source_directory: src\n"
        '    arguments: ["${{parameters.lr}}"]\n',
        "a",
        "arguments",
        "parameter 'lr' is not declared",
    ),
    (
        'steps:\n  - name: a\n    script: prep.py\n    arguments: ["--x=${{outputs.o}}"]\n',
        "a",
        "arguments",
        "must be exactly",
    ),
    (
        "steps:\n  - name: a\n    script: prep.py\n    parameters: {lr: 1}\n",
        "a",
        "parameters",
        "for notebook steps",
    ),
    (
        "steps:\n  - name: a\n    script: prep.py\n    allow_reuse: maybe\n",
        "a",
        "allow_reuse",
        "true or false",
    ),
    (
        "steps:\n  - name: a\n    script: prep.py\n    outputs: out\n",
        "a",
        "outputs",
        "list of folder",
    ),
    (
        "steps:\n  - name: a\n    script: missing.py\n    source_directory: src\n",
        None,
        None,
        "step 'a'",
    ),
]


@pytest.mark.parametrize(("text", "step", "field", "words"), BAD)
def test_bad_yaml_is_refused_naming_step_and_field(
    ws: Workspace, project: Path, text: str, step: str | None, field: str | None, words: str
) -> None:
    path = write(project, "bad.yaml", text)
    with pytest.raises(PipelineYamlError) as caught:
        load_pipeline_file(ws, path)
    assert words in caught.value.message
    assert caught.value.step == step and caught.value.field == field
    if step:
        assert f"step {step!r}" in caught.value.message


def test_the_cli_prints_a_yaml_mistake_in_one_line(project: Path, tmp_path: Path) -> None:
    mlws_cli(tmp_path, "init")
    write(project, "bad.yaml", textwrap.dedent(BAD[6][0]))
    proc = mlws_cli(tmp_path, "pipeline", "submit", str(project / "bad.yaml"), check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("mlws: error: pipeline file bad.yaml: step 'a', field arguments")
