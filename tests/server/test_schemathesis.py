"""Property-based fuzzing of the running server from openapi.yaml: no 5xx, and every
response conforms to the document (status codes, content types, bodies)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from jupyter_mlws.workspace import Workspace

from .live_server import live_server
from .seed import tracked_run

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "positive_data_acceptance",  # ST202: a request the document allows is not refused
        "missing_required_header",  # ST203: no Authorization header is 401
    ]
)


# CPython before 3.11.8 can raise "SystemError: AST constructor recursion depth mismatch"
# when two threads parse source at once (python/cpython#106905); hypothesis parses lambdas
# to describe them, so schemathesis's worker threads hit it now and then (a CI run did).
WORKERS = "2" if sys.version_info >= (3, 11, 8) else "1"


def test_schemathesis_finds_no_server_error(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    run = tracked_run(
        ws,
        loss=[1.0, 0.5, float("nan")],
        params={"lr": 0.1},
        files={"out/a.txt": b"a"},
        log_text="hello\n",
    )
    # Real ids most of the time, so operations reach their handlers' logic, not just 404.
    (tmp_path / "schemathesis.toml").write_text(
        f"""
[dictionaries]
runs = {{ values = ["{run.id}", "exp:{run.number}", "{run.id[:8]}"] }}
experiments = {{ values = ["exp", "1"] }}
targets = {{ values = ["local"] }}
[parameters]
"path.run" = {{ dictionary = "runs", probability = 0.7 }}
"path.experiment" = {{ dictionary = "experiments", probability = 0.5 }}
"path.name" = {{ dictionary = "targets", probability = 0.5 }}
"""
    )
    with live_server(ws.root, tmp_path / "server") as server:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"{server.api}/openapi.yaml",
                "--header",
                f"Authorization: token {server.token}",
                "--checks",
                CHECKS,
                "--max-examples",
                os.environ.get("MLWS_SCHEMATHESIS_EXAMPLES", "25"),
                "--seed",
                "20261125",
                "--phases",
                "examples,coverage,fuzzing",
                "--workers",
                WORKERS,
                "--request-timeout",
                "30",
                "--report-dir",
                str(tmp_path / "reports"),
                "--suppress-health-check",
                "all",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert run.id  # the seeded run existed while fuzzing
