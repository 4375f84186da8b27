"""v1 run calls: submit with tags, details, logs as files, children, snapshots, filters,
metrics (recursive, v1 chart payloads) and failures."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

TRAIN = """\
import argparse, os
from azureml.core import Run

parser = argparse.ArgumentParser()
parser.add_argument("--alpha", type=float)
args = parser.parse_args()
run = Run.get_context()
run.log("alpha", args.alpha)
os.makedirs("outputs", exist_ok=True)
with open("outputs/model.txt", "w") as f:
    f.write("trained")
print("training with alpha", args.alpha)
"""

CONFUSION = {
    "schema_type": "confusion_matrix",
    "schema_version": "1.0.0",
    "data": {"class_labels": ["0", "1"], "matrix": [[5, 1], [2, 7]]},
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "train.py").write_text(TRAIN)
    (src / "fail.py").write_text("raise SystemExit('bad data')\n")
    return src


def test_a_submitted_run_answers_v1s_calls(v1: object, project: Path, tmp_path: Path) -> None:
    from azureml.core import Experiment, Run, ScriptRunConfig, Workspace

    ws = Workspace.from_config()
    exp = Experiment(workspace=ws, name="train")
    config = ScriptRunConfig(
        source_directory=str(project),
        script="train.py",
        arguments=["--alpha", 0.5],
        compute_target="local",
    )
    assert config.run_config.target == "local" and config.run_config.script == "train.py"
    run = exp.submit(config, tags={"team": "a"})
    details = run.wait_for_completion(show_output=False, wait_post_processing=True)
    assert details["status"] == "Completed"
    for key in ("runId", "target", "startTimeUtc", "endTimeUtc", "runDefinition", "inputDatasets"):
        assert key in details
    assert details["startTimeUtc"].endswith("Z") and details["target"] == "local"
    assert details["runDefinition"]["script"] == "train.py"
    assert details["runDefinition"]["arguments"] == ["--alpha", "0.5"]

    again = Run(exp, run.id)
    assert again.get_metrics() == {"alpha": 0.5}
    assert again.name == again.display_name == run.display_name
    again.display_name = "alpha 0.5"
    assert Run(exp, run.id).name == "alpha 0.5"

    # Logs are files, fetched like any other.
    names = run.get_file_names()
    assert names == ["outputs/model.txt", "user_logs/std_log.txt"]
    log = run.download_file("user_logs/std_log.txt", str(tmp_path / "log.txt"))
    assert "training with alpha 0.5" in log.read_text()
    legacy = run.download_file("azureml-logs/70_driver_log.txt", str(tmp_path / "driver.txt"))
    assert legacy.read_text() == log.read_text()
    assert run.get_details_with_logs()["logFiles"]["user_logs/std_log.txt"] == log.read_text()
    written = run.get_all_logs(destination=str(tmp_path / "all"))
    assert [Path(p).relative_to(tmp_path / "all").as_posix() for p in written] == [
        "user_logs/std_log.txt"
    ]

    snapshot = run.restore_snapshot(path=str(tmp_path))
    with zipfile.ZipFile(snapshot) as archive:
        assert sorted(archive.namelist()) == ["fail.py", "train.py"]
        assert archive.read("train.py").decode() == TRAIN

    exp.submit(ScriptRunConfig(str(project), "train.py", ["--alpha", 1]), tags={"team": "b"})
    assert [r.id for r in exp.get_runs(tags={"team": "a"})] == [run.id]
    assert len(list(exp.get_runs(tags="team"))) == 2
    assert list(exp.get_runs(properties={"azureml.runsource": "nope"})) == []
    assert len(list(exp.get_runs(type="azureml.scriptrun"))) == 2


def test_a_failed_run_raises_activity_failed_with_the_error(v1: object, project: Path) -> None:
    from azureml.core import Experiment, ScriptRunConfig, Workspace
    from azureml.exceptions import ActivityFailedException

    exp = Experiment(Workspace.from_config(), "train")
    run = exp.submit(ScriptRunConfig(source_directory=str(project), script="fail.py"))
    with pytest.raises(ActivityFailedException, match="Failed"):
        run.wait_for_completion(show_output=True)
    assert run.get_status() == "Failed"
    assert run.wait_for_completion(raise_on_error=False)["error"]["error"]["message"]


def test_interactive_logging_children_and_v1_payloads(v1: object) -> None:
    from azureml.core import Experiment, Workspace
    from azureml.exceptions import UserErrorException

    exp = Experiment(Workspace.from_config(), "logging")
    with exp.start_logging(snapshot_directory=None) as run:
        run.log_list("losses", value=[0.5, 0.25], description="per epoch")
        run.log_row("curve", description="x vs y", x=1, y=2)
        run.log_row("curve", x=2, y=4)
        run.log_confusion_matrix("cm", CONFUSION, description="test set")
        run.log_residuals(
            "res",
            '{"schema_type": "residuals", "schema_version": "1.0.0",'
            ' "data": {"bin_edges": [0, 1, 2], "bin_counts": [3, 4]}}',
        )
        with pytest.raises(UserErrorException, match="2x2"):
            run.log_confusion_matrix(
                "bad", {**CONFUSION, "data": {"class_labels": ["a", "b"], "matrix": [[1]]}}
            )
        with pytest.raises(UserErrorException, match="lacks bin_averages"):
            run.log_predictions("bad", {"schema_type": "predictions", "data": {}})
        children = run.create_children(count=2)
        tagged = run.create_children(tag_key="fold", tag_values=["a", "b"])
        for i, child in enumerate(children + tagged):
            child.log("acc", 0.5 + i / 10)
            child.complete()

    metrics = run.get_metrics()
    assert metrics["losses"] == [0.5, 0.25]
    assert metrics["curve"] == {"x": [1, 2], "y": [2, 4]}  # description is not a column
    assert metrics["cm"] == CONFUSION
    assert metrics["res"]["data"]["bin_counts"] == [3, 4]
    assert "bad" not in metrics

    everything = run.get_metrics(recursive=True)
    assert set(everything) == {run.id, *(c.id for c in children + tagged)}
    assert sorted(everything[c.id]["acc"] for c in children + tagged) == [0.5, 0.6, 0.7, 0.8]
    assert [c.get_tags()["fold"] for c in tagged] == ["a", "b"]
    assert [c.id for c in run.get_children(tags={"fold": "b"})] == [tagged[1].id]
    assert all(c.parent is not None and c.parent.id == run.id for c in children)
    assert run.get_status() == "Completed"
