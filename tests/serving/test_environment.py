"""Train in one environment, serve from another: a real build, a real endpoint, HTTP."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from jupyter_mlws import Environment, ScriptRunConfig, Workspace
from jupyter_mlws.environments import EnvironmentBuildError
from jupyter_mlws.environments.cache import BuildCache

from .support import client

TRAIN_PY = """
import six
from jupyter_mlws import Run
run = Run.get_context()
with open("model.txt", "w") as f:
    f.write("trained with six " + six.__version__)
run.upload_file("outputs/model.txt", "model.txt")
"""

SCORE_PY = """
import os, sys
import six

def init():
    global text
    text = open(os.path.join(os.environ["MLWS_MODEL_DIR"], "model.txt")).read()

def run(data):
    return {"model": text, "six": six.__version__, "prefix": sys.prefix}
"""


def env(ws: Workspace, name: str, pin: str) -> Environment:
    e = Environment(name)
    e.pip_packages = [pin]
    return e.register(ws)


def test_train_in_one_environment_and_serve_from_another(ws: Workspace, tmp_path: Path) -> None:
    env(ws, "train", "six==1.16.0")
    serve = env(ws, "serve", "six==1.15.0")
    src = tmp_path / "code"
    src.mkdir()
    (src / "train.py").write_text(textwrap.dedent(TRAIN_PY))
    (src / "score.py").write_text(textwrap.dedent(SCORE_PY))
    run = ws.experiment("e").submit(ScriptRunConfig(src, "train.py", environment="train"))
    run.wait_for_completion()
    ws.register_model("m", "outputs/model.txt", run=run)

    ep = ws.deploy("api", ["m"], source_dir=src, environment="serve")
    with client(ep, ep.get_keys()["primary"]) as http:
        reply = http.post("/score", json={"data": 1})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["model"] == "trained with six 1.16.0"
    assert body["six"] == "1.15.0"
    lock_hash = Environment.get(ws, "serve", serve.version).__dict__["_record"].lock_hash
    assert body["prefix"] == str(BuildCache().path(lock_hash))
    assert body["prefix"] != sys.prefix


def test_an_environment_that_cannot_build_deploys_nothing(ws: Workspace, tmp_path: Path) -> None:
    env(ws, "bad", "six==0.0.999")
    src = tmp_path / "code"
    src.mkdir()
    (src / "score.py").write_text(textwrap.dedent(SCORE_PY))
    model = tmp_path / "model.txt"
    model.write_text("x")
    ws.register_model("m", model)
    with pytest.raises(EnvironmentBuildError, match=r"0\.0\.999"):
        ws.deploy("api", ["m"], source_dir=src, environment="bad")
    assert ws.endpoints() == []
