"""A team workspace on shared services: PostgreSQL for the store and moto's S3 server
for the artifact store (snapshots, outputs, models). Two members, each a separate
process with their own workspace folder pointing at the same services, submit runs and
register models, and read each other's runs, outputs and models with nothing lost."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from object_storage.servers import S3_KEY, S3_SECRET, S3Server

pytestmark = pytest.mark.postgres

MEMBER = """
import json, sys, textwrap
from pathlib import Path
from jupyter_mlws import ScriptRunConfig, Workspace
from jupyter_mlws.data import Dataset

me, other_run, other_model = sys.argv[1], sys.argv[2], sys.argv[3]
ws = Workspace.open(sys.argv[4])
result = {}
if other_run != "-":
    theirs = ws.get_run(other_run)
    result["their_metric"] = theirs.get_metrics()["score"]
    result["their_output"] = theirs.read_file("outputs/result.txt").decode()
    target = Path(sys.argv[4]).parent / "their-model"
    result["their_model_file"] = ws.download_model(other_model, target).read_text()
src = Path(sys.argv[4]).parent / "src"
src.mkdir(exist_ok=True)
(src / "job.py").write_text(textwrap.dedent('''
    import os, sys
    from jupyter_mlws import Run
    run = Run.get_context()
    run.log("score", float(len(sys.argv[1])))
    os.makedirs("outputs", exist_ok=True)
    open("outputs/result.txt", "w").write("made by " + sys.argv[1])
'''))
run = ws.experiment("team").submit(ScriptRunConfig(src, "job.py", arguments=[me]))
run.wait_for_completion()
model = run.register_model("model-" + me, "outputs/result.txt")
result.update(run=run.id, model=model.ref, status=run.get_status())
print(json.dumps(result))
"""


def member(folder: Path, env: dict[str, str], *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(MEMBER), *args, str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_two_members_share_runs_and_models_on_postgres_and_s3(
    tmp_path: Path, s3_server: S3Server, postgres_server: object
) -> None:
    from jupyter_mlws import Workspace

    s3_server.make_bucket("team-artifacts")
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": s3_server.endpoint,
        "AWS_ACCESS_KEY_ID": S3_KEY,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    with postgres_server.database() as db_url:  # type: ignore[attr-defined]
        folders = []
        for who in ("alice", "bob"):
            folder = tmp_path / who / ".mlws"
            folders.append(folder)
            # each member's own workspace folder, pointing at the shared services
            made = subprocess.run(
                [
                    sys.executable, "-m", "jupyter_mlws.cli", "init", str(folder),
                    "--db-url", db_url, "--artifact-url", "s3://team-artifacts/ws",
                ],
                env=env, capture_output=True, text=True,
            )  # fmt: skip
            assert made.returncode == 0, made.stderr
        alice = member(folders[0], env, "alice", "-", "-")
        bob = member(folders[1], env, "bob", str(alice["run"]), str(alice["model"]))
        assert bob["their_metric"] == 5.0
        assert bob["their_output"] == "made by alice"
        assert bob["their_model_file"] == "made by alice"
        again = member(folders[0], env, "alice2", str(bob["run"]), str(bob["model"]))
        assert again["their_output"] == "made by bob"
        assert again["their_model_file"] == "made by bob"
        assert {alice["status"], bob["status"], again["status"]} == {"Completed"}

        # nothing of it is on local disk: the blobs are in the S3 bucket
        keys = set(s3_server.filesystem().find("team-artifacts/ws"))
        for text in ("made by alice", "made by bob", "made by alice2"):
            digest = hashlib.sha256(text.encode()).hexdigest()
            assert f"team-artifacts/ws/{digest[:2]}/{digest[2:]}" in keys
        ws = Workspace.open(folders[1])
        try:
            assert {m.ref for m in ws.models()} == {
                "model-alice:1",
                "model-bob:1",
                "model-alice2:1",
            }
        finally:
            ws.store.close()
