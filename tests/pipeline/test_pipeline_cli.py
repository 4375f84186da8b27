"""``mlws pipeline …`` as a user runs it: a pipeline file, real processes, real workspace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import mlws_cli
from pipeline_helpers import PREP, TRAIN, write

PIPELINE_FILE = """
from jupyter_mlws.pipeline import Pipeline, PipelineData, PipelineParameter, PythonScriptStep

prepared = PipelineData("prepared")
lr = PipelineParameter("lr", default_value=0.1)
prep = PythonScriptStep("prep.py", name="prepare", source_directory="src",
                        outputs=[prepared], arguments=["--out", prepared, "x"])
train = PythonScriptStep("train.py", name="train", source_directory="src",
                         inputs=[prepared], arguments=["--in", prepared, "--lr", lr])
pipeline = Pipeline(ws, steps=[prep, train])
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    mlws_cli(tmp_path, "init")
    write(tmp_path / "src", "prep.py", PREP)
    write(tmp_path / "src", "train.py", TRAIN)
    write(tmp_path, "pipeline.py", PIPELINE_FILE)
    return tmp_path


def mlws_json(cwd: Path, *args: str) -> Any:
    return json.loads(mlws_cli(cwd, "--json", *args).stdout)


def test_submit_show_and_reuse_from_the_command_line(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # relative paths in the file are read from the file's folder, wherever mlws runs
    out = mlws_cli(
        elsewhere,
        "-w",
        str(project / ".mlws"),
        "pipeline",
        "submit",
        str(project / "pipeline.py"),
        "-e",
        "pipes",
        "--wait",
    ).stdout
    assert "[train] Completed" in out
    assert "ran, because no earlier run" in out

    first = mlws_json(
        project, "pipeline", "submit", "pipeline.py", "-e", "pipes", "-p", "lr=0.05", "--wait"
    )
    assert first["status"] == "Completed"
    steps = {s["name"]: s for s in first["steps"]}
    assert steps["prepare"]["reason"].startswith("reused (from run ")
    assert steps["train"]["reason"] == "ran, because parameter lr 0.1 → 0.05"
    assert steps["train"]["depends_on"] == ["prepare"]

    shown = mlws_cli(project, "pipeline", "show", f"pipes:{first['number']}").stdout
    assert "parameter lr 0.1 → 0.05" in shown
    assert "reused (from run" in shown
    assert shown.splitlines()[0].endswith("Completed")


def test_bad_input_is_one_line_and_submits_nothing(project: Path) -> None:
    bad = mlws_cli(project, "pipeline", "submit", "pipeline.py", "-p", "nope=1", check=False)
    assert bad.returncode == 1
    assert bad.stderr.strip().count("\n") == 0, bad.stderr
    assert "pipeline parameter 'nope' (field pipeline_parameters) is not declared" in bad.stderr
    write(project, "broken.py", PIPELINE_FILE.replace('"train.py"', '"missing.py"'))
    bad = mlws_cli(project, "pipeline", "submit", "broken.py", check=False)
    assert "step 'train': script_name 'missing.py' does not exist" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert mlws_json(project, "run", "list") == []


def test_publish_endpoint_versions_and_run(project: Path) -> None:
    v1 = mlws_json(
        project, "pipeline", "publish", "pipeline.py", "-n", "train-pipe", "--endpoint", "train"
    )
    assert v1["published"]["version"] == 1
    assert v1["endpoint"]["default_version"] == 1
    write(project, "pipeline.py", PIPELINE_FILE.replace("default_value=0.1", "default_value=0.2"))
    v2 = mlws_json(
        project,
        "pipeline",
        "publish",
        "pipeline.py",
        "-n",
        "train-pipe",
        "--endpoint",
        "train",
        "--default",
    )
    assert v2["endpoint"]["default_version"] == 2
    listed = mlws_json(project, "pipeline", "list")
    assert [p["version"] for p in listed] == [1, 2]
    assert [e["name"] for e in mlws_json(project, "pipeline", "endpoint", "list")] == ["train"]
    shown = mlws_cli(project, "pipeline", "endpoint", "show", "train").stdout
    assert "train-pipe:2" in shown and "lr=0.2" in shown

    mlws_cli(project, "pipeline", "endpoint", "set-default", "train", "1")
    run = mlws_json(project, "pipeline", "run", "train", "--wait")
    assert run["experiment"] == "train" and run["parameters"] == {"lr": 0.1}
    run = mlws_json(project, "pipeline", "run", "train", "--version", "2", "-p", "lr=0.3", "--wait")
    assert run["status"] == "Completed" and run["parameters"] == {"lr": 0.3}
    missing = mlws_cli(project, "pipeline", "run", "train", "--version", "7", check=False)
    assert "pipeline endpoint 'train' has no version 7" in missing.stderr
