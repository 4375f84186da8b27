"""The serving part of ``mlws demo``: the trained demo model registered, deployed, scored."""

from __future__ import annotations

import io
import json
import shutil
from importlib import resources
from pathlib import Path

import httpx

from jupyter_mlws import ScriptRunConfig, Workspace
from jupyter_mlws.cli.context import CliContext
from jupyter_mlws.cli.demo_serving import DEMO_ENDPOINT, DEMO_REQUEST, demo_serving
from jupyter_mlws.cli.output import Output


def test_demo_model_is_registered_deployed_and_scored(ws: Workspace, tmp_path: Path) -> None:
    source = tmp_path / "demo"
    source.mkdir()
    with resources.as_file(resources.files("jupyter_mlws.examples") / "train.py") as path:
        shutil.copyfile(path, source / "train.py")
    run = ws.experiment("demo").submit(
        ScriptRunConfig(source_dir=source, script="train.py", arguments=["--epochs", "5"])
    )
    run.wait_for_completion(timeout=120)

    text = io.StringIO()
    summary = demo_serving(CliContext(output=Output(text)), ws, run)
    answer = summary["answer"]
    assert len(answer["probabilities"]) == 2 and set(answer["labels"]) <= {0, 1}
    assert summary["model"] == "demo-model:1"
    assert ws.model("demo-model").run_id == run.id
    printed = text.getvalue()
    assert json.dumps(answer) in printed and "curl -s -X POST http://127.0.0.1:" in printed
    body = (ws.root / "demo-serving" / "request.json").read_bytes()
    headers = {"authorization": f"Bearer {summary['key']}", "content-type": "application/json"}
    assert httpx.post(summary["scoring_uri"], content=body, headers=headers).json() == answer
    assert json.loads(body) == DEMO_REQUEST

    again = demo_serving(CliContext(output=Output(io.StringIO())), ws, run)  # a second demo
    assert again["model"] == "demo-model:2" and again["scoring_uri"] == summary["scoring_uri"]
    assert ws.endpoint(DEMO_ENDPOINT).record.models == ("demo-model:2",)
    headers["authorization"] = f"Bearer {again['key']}"
    assert httpx.post(again["scoring_uri"], content=body, headers=headers).status_code == 200
