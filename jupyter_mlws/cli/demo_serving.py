"""The serving half of ``mlws demo``: register the trained model, deploy it, score."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

from jupyter_mlws.cli.context import CliContext
from jupyter_mlws.exceptions import require
from jupyter_mlws.serving import Endpoint
from jupyter_mlws.serving.keys import ENV_KEY
from jupyter_mlws.serving.liveness import is_running
from jupyter_mlws.tracking import Run
from jupyter_mlws.workspace import Workspace

DEMO_MODEL = "demo-model"
DEMO_ENDPOINT = "demo"
SERVING_MODULES = ("starlette", "uvicorn", "orjson", "httpx")
DEMO_REQUEST = {"data": [[0.5, -1.2, 0.3, 2.0, -0.7], [-1.0, 0.4, 1.5, -0.2, 0.9]]}


def _scoring_source(root: Path) -> Path:
    """The packaged ``score.py`` in its own folder (the endpoint snapshots the folder)."""
    source = root / "demo-serving"
    source.mkdir(parents=True, exist_ok=True)
    with resources.as_file(resources.files("jupyter_mlws.examples") / "score.py") as path:
        shutil.copyfile(path, source / "score.py")
    (source / "request.json").write_text(json.dumps(DEMO_REQUEST) + "\n")
    return source


def _deploy(ws: Workspace, version: str, source: Path) -> tuple[Endpoint, str]:
    """Deploy, or update the endpoint of an earlier demo; returns it and a usable key."""
    existing = [r for r in ws.endpoints() if r.name == DEMO_ENDPOINT]
    if existing and is_running(existing[0]):
        endpoint = ws.endpoint(DEMO_ENDPOINT)
        endpoint.update(models=[version], source_dir=source)
        return endpoint, endpoint.regen_key("secondary")
    endpoint = ws.deploy(DEMO_ENDPOINT, [version], source_dir=source, workers=2)
    return endpoint, endpoint.get_keys()["primary"]


def demo_serving(ctx: CliContext, ws: Workspace, run: Run) -> dict[str, Any]:
    """Register the run's model, serve it on endpoint ``demo``, score one request."""
    out = ctx.out
    for module in SERVING_MODULES:
        require(module, "serving")  # MissingExtraError: the demo skips this part
    model = run.register_model(
        DEMO_MODEL, "outputs/model.npz", tags={"demo": "true"}, model_framework="numpy"
    )
    source = _scoring_source(ws.root)
    endpoint, key = _deploy(ws, model.ref, source)
    answer = endpoint.invoke(DEMO_REQUEST, key=key)
    curl = (
        f'curl -s -X POST {endpoint.scoring_uri} -H "Authorization: Bearer ${ENV_KEY}" '
        f"-H 'Content-Type: application/json' -d @{source / 'request.json'}"
    )
    summary = {
        "model": model.ref,
        "endpoint": endpoint.name,
        "scoring_uri": endpoint.scoring_uri,
        "request": DEMO_REQUEST,
        "answer": answer,
        "key": key,
        "curl": curl,
    }
    if not ctx.json:
        out.text(f"\n[mlws] registered model {model.ref} from run {run.id[:8]}")
        out.text(f"[mlws] endpoint {endpoint.name!r} serves it at {endpoint.scoring_uri}")
        out.text(f"[mlws] request  {json.dumps(DEMO_REQUEST)}")
        out.text(f"[mlws] answer   {json.dumps(answer)}")
        out.text(f"\ntry it (the key is shown only now):\n  export {ENV_KEY}={key}\n  {curl}")
        out.text(
            f"then: mlws endpoint show {endpoint.name}  |  mlws endpoint logs {endpoint.name} -f"
        )
        out.text(
            f"\n[mlws] endpoint {endpoint.name!r} keeps running in the background: "
            f"`mlws endpoint delete {endpoint.name}` stops it"
        )
    return summary
