"""``mlws endpoint package``: a self-contained build context to run an endpoint elsewhere.

The folder holds the service runtime (copied as ``mlws_runtime/``: it needs only
Starlette, uvicorn and orjson, not jupyter-mlws), ``score.py`` and its folder, the
model files, the key hashes, ``requirements.txt`` and a ``Dockerfile``. ``python
serve.py`` runs it as it is; ``docker build`` makes an image of it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import shutil
import sys
from pathlib import Path

from jupyter_mlws.artifacts import materialize
from jupyter_mlws.exceptions import ResourceAlreadyExistsError
from jupyter_mlws.serving import runtime
from jupyter_mlws.serving.lifecycle import resolve_models
from jupyter_mlws.serving.prepare import Settings, write_models
from jupyter_mlws.tracking import Workspace

RUNTIME_PACKAGE = "mlws_runtime"
RUNTIME_REQUIREMENTS = ("starlette", "uvicorn[standard]", "orjson", "prometheus-client")
PORT = 8000

SERVE_PY = f'''"""Run this scoring service: python serve.py [--bind 0.0.0.0] [--port {PORT}]."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from {RUNTIME_PACKAGE}.main import main  # noqa: E402

sys.exit(main(["--config", str(Path(__file__).resolve().parent / "service.json"), *sys.argv[1:]]))
'''

DOCKERFILE = f"""FROM python:{sys.version_info.major}.{sys.version_info.minor}-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENV OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONUNBUFFERED=1
EXPOSE {PORT}
CMD ["python", "serve.py", "--bind", "0.0.0.0", "--port", "{PORT}"]
"""


def package(ws: Workspace, name: str, out_dir: str | Path, *, force: bool = False) -> Path:
    record = ws.store.get_endpoint(name)
    settings = Settings.from_dict(record.config)
    versions = resolve_models(ws, record.models)
    out = Path(out_dir).expanduser().resolve()
    if out.exists() and any(out.iterdir()):
        if not force:
            raise ResourceAlreadyExistsError(f"{out} is not empty (pass --force to replace it)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    _copy_runtime(out / RUNTIME_PACKAGE)
    materialize(ws.blobs, settings.snapshot_id, out / "src")
    write_models(ws, versions, out / "models")
    auth = record.auth == "key"
    if auth:
        (out / "keys.json").write_text(json.dumps(ws.store.endpoint_key_hashes(name), indent=2))
    config = {
        "name": name,
        "entry_script": f"src/{settings.entry_script}",
        "source_dir": "src",
        "model_dir": "models",
        "models": [{"name": v.name, "version": v.version} for v in versions],
        "bind": "127.0.0.1",
        "port": PORT,
        "workers": record.workers,
        "auth": auth,
        "keys_file": "keys.json" if auth else None,
        "timeout_s": settings.timeout_s,
        "max_body_bytes": settings.max_body_bytes,
        "drain_s": settings.drain_s,
        "request_log": "logs/requests.jsonl",
        "log_max_bytes": settings.log_max_bytes,
        "log_backups": settings.log_backups,
    }
    (out / "service.json").write_text(json.dumps(config, indent=2) + "\n")
    (out / "serve.py").write_text(SERVE_PY)
    (out / "Dockerfile").write_text(DOCKERFILE)
    (out / "requirements.txt").write_text("\n".join(requirements(out / "src", settings)) + "\n")
    (out / "README.md").write_text(_readme(name, auth))
    return out


def _copy_runtime(dest: Path) -> None:
    source = Path(runtime.__file__).parent
    dest.mkdir(parents=True)
    for module in sorted(source.glob("*.py")):
        shutil.copyfile(module, dest / module.name)


def requirements(src: Path, settings: Settings) -> list[str]:
    """The runtime's packages and those ``score.py`` imports, pinned to the versions here."""
    wanted = [_pinned(r) for r in RUNTIME_REQUIREMENTS]
    for dist in sorted(_imported_distributions(src / settings.entry_script, src)):
        line = _pinned(dist)
        if line.split("==")[0] not in {w.split("[")[0].split("==")[0] for w in wanted}:
            wanted.append(line)
    user = src / "requirements.txt"
    if user.is_file():
        wanted += [
            line.strip()
            for line in user.read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]
    return wanted


def _imported_distributions(script: Path, src: Path) -> set[str]:
    try:
        tree = ast.parse(script.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    local = {p.stem for p in src.iterdir()}
    mapping = importlib.metadata.packages_distributions()
    found = set()
    for module in modules - set(sys.stdlib_module_names) - local:
        for dist in mapping.get(module, ()):
            if dist.replace("_", "-").lower() != "jupyter-mlws":
                found.add(dist)
    return found


def _pinned(requirement: str) -> str:
    name = requirement.split("[")[0]
    try:
        return f"{requirement}=={importlib.metadata.version(name)}"
    except importlib.metadata.PackageNotFoundError:
        return requirement


def _readme(name: str, auth: bool) -> str:
    key_note = (
        "Requests need `Authorization: Bearer <key>` with one of the endpoint's keys "
        "(keys.json holds only their hashes).\n"
        if auth
        else ""
    )
    return f"""# Scoring service `{name}` (built by jupyter-mlws)

Run it here:    pip install -r requirements.txt && python serve.py --port {PORT}
Or in Docker:   docker build -t {name.lower()} . && docker run -p {PORT}:{PORT} {name.lower()}

Routes: POST /score, GET /health, GET /metrics (Prometheus), Open Inference Protocol v2
under /v2/. Each request is logged as a JSON line in logs/requests.jsonl (rotated).
{key_note}"""
