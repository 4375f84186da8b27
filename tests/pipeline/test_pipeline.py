"""Pipelines end to end: real controller jobs, real step runs, reuse with its reasons."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pipeline_helpers import TRAIN, write

from jupyter_mlws import Workspace
from jupyter_mlws.exceptions import InvalidParameterError, RunFailedError
from jupyter_mlws.pipeline import (
    NotebookStep,
    Pipeline,
    PipelineData,
    PipelineParameter,
    PythonScriptStep,
)
from jupyter_mlws.pipeline.start import rerun_pipeline


def two_steps(ws: Workspace, src: Path, *, prep_reuse: bool = True) -> Pipeline:
    prepared = PipelineData("prepared")
    lr = PipelineParameter("lr", default_value=0.1)
    prep = PythonScriptStep(
        "prep.py",
        name="prepare",
        source_directory=src,
        outputs=[prepared],
        arguments=["--out", prepared, "x"],
        allow_reuse=prep_reuse,
    )
    train = PythonScriptStep(
        "train.py",
        name="train",
        source_directory=src,
        inputs=[prepared],
        arguments=["--in", prepared, "--lr", lr],
    )
    return Pipeline(ws, steps=[prep, train])


def reasons(run: object) -> dict[str, str]:
    return {s.name: s.reason for s in run.get_steps()}  # type: ignore[attr-defined]


def test_steps_pass_data_and_reuse_explains_itself(ws: Workspace, src: Path) -> None:
    pipeline = two_steps(ws, src)
    assert pipeline.validate() == ["prepare", "train"]
    exp = ws.experiment("pipes")

    first = exp.submit(pipeline)
    out = io.StringIO()
    first.wait_for_completion(show_output=True, out=out)
    assert "[train] Completed" in out.getvalue()
    assert reasons(first) == {
        "prepare": "ran, because no earlier run",
        "train": "ran, because no earlier run",
    }
    train = first.find_step_run("train")
    assert "train read rows x lr 0.1" in train.get_logs()
    assert train.run.parent.id == first.id  # step runs are child runs

    second = exp.submit(pipeline, pipeline_parameters={"lr": 0.05})
    second.wait_for_completion()
    prep_id = first.find_step_run("prepare").id
    assert reasons(second) == {
        "prepare": f"reused (from run {prep_id})",
        "train": "ran, because parameter lr 0.1 → 0.05",
    }
    assert "lr 0.05" in second.find_step_run("train").get_logs()

    # a changed source file re-runs the step that reads it, and its output change
    # re-runs the step downstream, which names why
    write(src, "prep.py", (src / "prep.py").read_text().replace("rows ", "ROWS "))
    third = exp.submit(two_steps(ws, src), pipeline_parameters={"lr": 0.05})
    third.wait_for_completion()
    why = reasons(third)
    assert why["prepare"] == f"ran, because {src.name}/prep.py changed"
    assert why["train"].startswith(f"ran, because {src.name}/prep.py changed")
    assert "input 'prepared' changed because step 'prepare' ran" in why["train"]

    # everything the same: every step reused, nothing runs
    fourth = exp.submit(two_steps(ws, src), pipeline_parameters={"lr": 0.05})
    fourth.wait_for_completion()
    assert all(s.reused for s in fourth.get_steps())
    assert fourth.get_children() == []


def test_allow_reuse_false_runs_again_and_says_so(ws: Workspace, src: Path) -> None:
    exp = ws.experiment("pipes")
    exp.submit(two_steps(ws, src, prep_reuse=False)).wait_for_completion()
    again = exp.submit(two_steps(ws, src, prep_reuse=False))
    again.wait_for_completion()
    why = reasons(again)
    assert why["prepare"] == "ran, because allow_reuse=False"
    # same output content: the step reading it is reused
    assert why["train"].startswith("reused (from run ")


def test_validate_refuses_with_step_and_field(ws: Workspace, src: Path) -> None:
    a, b = PipelineData("a"), PipelineData("b")

    def step(name: str, inputs: list, outputs: list, script: str = "prep.py") -> PythonScriptStep:
        return PythonScriptStep(
            script, name=name, source_directory=src, inputs=inputs, outputs=outputs
        )

    cases = [
        ([step("one", [b], [a]), step("two", [a], [b])], "cycle"),
        ([step("one", [], [a]), step("two", [], [a])], "both write output 'a'"),
        ([step("one", [b], [a])], "step 'one': input 'b' (field inputs) is written by no step"),
        ([step("one", [], [], "missing.py")], "step 'one': script_name 'missing.py' does not"),
        ([step("one", [], []), step("one", [], [])], "two steps are named 'one'"),
    ]
    for steps, message in cases:
        with pytest.raises(InvalidParameterError, match=re.escape(message)):
            Pipeline(ws, steps).validate()
    with pytest.raises(InvalidParameterError, match=r"parameter 'lrr' .* declared: lr"):
        ws.experiment("pipes").submit(two_steps(ws, src), pipeline_parameters={"lrr": 1})
    elsewhere = PythonScriptStep("prep.py", name="one", source_directory=src, compute_target="gpu")
    with pytest.raises(InvalidParameterError, match=r"step 'one' \(compute_target\): unknown"):
        ws.experiment("pipes").submit(Pipeline(ws, [elsewhere]))
    assert ws.store.list_runs()[0] == []  # nothing half-made


def test_failed_step_fails_pipeline_and_rerun_from_failed_reuses(ws: Workspace, src: Path) -> None:
    write(src, "train.py", "raise SystemExit('bad data')\n")
    after = PythonScriptStep(
        "prep.py", name="report", source_directory=src, arguments=["--out", "."], allow_reuse=False
    )
    pipeline = two_steps(ws, src, prep_reuse=False)
    pipeline.steps[1].outputs = [PipelineData("model")]
    after.inputs = [PipelineData("model")]
    pipeline.steps.append(after)
    run = ws.experiment("pipes").submit(pipeline)
    with pytest.raises(RunFailedError, match="step 'train' failed"):
        run.wait_for_completion()
    status = {s.name: s.status for s in run.get_steps()}
    assert status == {"prepare": "Completed", "train": "Failed", "report": "Canceled"}

    write(src, "train.py", TRAIN)
    again = rerun_pipeline(ws, run.id, from_failed=True)
    again.wait_for_completion()
    prep = again.find_step_run("prepare")
    assert prep.reused_from == run.find_step_run("prepare").id  # despite allow_reuse=False
    assert "completed in the run being re-run" in (prep.reason or "")
    assert again.find_step_run("train").reason == f"ran, because {src.name}/train.py changed"


def test_notebook_step_runs_through_papermill_with_parameters(
    ws: Workspace, src: Path, tmp_path: Path
) -> None:
    from helpers import write_notebook

    write_notebook(
        src / "train.ipynb",
        "lr = 1.0\ndata = ''",
        ["import pathlib\nprint('nb lr', lr, pathlib.Path(data, 'data.txt').read_text())"],
    )
    prepared = PipelineData("prepared")
    lr = PipelineParameter("lr", default_value=0.1)
    steps = [
        PythonScriptStep(
            "prep.py",
            name="prepare",
            source_directory=src,
            outputs=[prepared],
            arguments=["--out", prepared, "nb"],
        ),
        NotebookStep(
            "train.ipynb",
            name="train",
            source_directory=src,
            inputs=[prepared],
            parameters={"lr": lr, "data": prepared},
        ),
    ]
    run = ws.experiment("pipes").submit(Pipeline(ws, steps), pipeline_parameters={"lr": 0.5})
    run.wait_for_completion()
    train = run.find_step_run("train")
    assert train.run.record.params["lr"] == "0.5"
    assert "outputs/train.ipynb" in train.run.get_file_names()
    executed = tmp_path / "executed.ipynb"
    train.run.download_file("outputs/train.ipynb", executed)
    assert "nb lr 0.5 rows nb" in executed.read_text()
