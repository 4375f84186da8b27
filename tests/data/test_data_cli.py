"""`mlws datastore`, `mlws dataset` and `mlws secret` as a user runs them (real
processes, a real S3 API server), including their one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from object_storage.servers import S3_KEY, S3_SECRET, S3Server

MLWS = [sys.executable, "-m", "jupyter_mlws.cli"]


def mlws(
    cwd: Path, *args: str, check: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLWS_WORKSPACE": str(cwd / ".mlws")}
    proc = subprocess.run(
        [*MLWS, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, input=stdin
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_datastore_and_dataset_commands_on_s3(tmp_path: Path, s3_server: S3Server) -> None:
    s3_server.make_bucket("cli-bucket")
    fs = s3_server.filesystem()
    fs.pipe_file("cli-bucket/base/t/a.csv", b"x,y\n1,2\n3,\n")
    fs.pipe_file("cli-bucket/base/t/b.csv", b"x,y\n5,6\n")
    mlws(tmp_path, "init")
    mlws(tmp_path, "secret", "set", "aws-key", stdin=S3_KEY)
    mlws(tmp_path, "secret", "set", "aws-secret", stdin=S3_SECRET)

    refused = mlws(
        tmp_path,
        "datastore",
        "register",
        "s3",
        "s3://cli-bucket/base",
        "-o",
        "secret=x",
        check=False,
    )
    assert "--secret-option secret=NAME" in one_line_error(refused)
    mlws(
        tmp_path,
        "datastore",
        "register",
        "s3",
        "s3://cli-bucket/base",
        "-o",
        f"endpoint_url={s3_server.endpoint}",
        "-o",
        "region=eu-west-1",
        "-s",
        "key=aws-key",
        "-s",
        "secret=aws-secret",
    )
    shown = json.loads(mlws(tmp_path, "datastore", "show", "s3", "--json").stdout)
    assert shown["options"]["secret"] == {"secret": "aws-secret"}
    assert S3_SECRET not in mlws(tmp_path, "datastore", "list").stdout

    made = json.loads(
        mlws(
            tmp_path,
            "dataset",
            "register",
            "tab",
            "t/*.csv",
            "-d",
            "s3",
            "--tabular",
            "csv",
            "--json",
        ).stdout
    )
    assert made["ref"] == "tab:1" and made["file_count"] == 2
    again = json.loads(
        mlws(
            tmp_path,
            "dataset",
            "register",
            "tab",
            "t/*.csv",
            "-d",
            "s3",
            "--tabular",
            "csv",
            "--json",
        ).stdout
    )
    assert again["ref"] == "tab:1"
    prof = json.loads(mlws(tmp_path, "dataset", "profile", "tab:1", "--json").stdout)
    assert prof["rows"] == 3 and prof["columns"][1]["nulls"] == 1
    listed = mlws(tmp_path, "dataset", "list").stdout
    assert "tab:1" in listed
    mlws(tmp_path, "dataset", "download", "tab", "-o", str(tmp_path / "dl"))
    assert (tmp_path / "dl" / "b.csv").read_text() == "x,y\n5,6\n"
    lineage = json.loads(mlws(tmp_path, "dataset", "lineage", "tab:1", "--json").stdout)
    assert lineage == {
        "dataset": "tab:1",
        "read_by": [],
        "written_by": [],
        "changed_in": [],
        "models": [],
        "endpoints": [],
    }

    assert "has no version 9" in one_line_error(
        mlws(tmp_path, "dataset", "show", "tab:9", check=False)
    )
    assert "matches no files" in one_line_error(
        mlws(tmp_path, "dataset", "register", "x", "none/**", "-d", "s3", check=False)
    )
    assert "not found" in one_line_error(
        mlws(
            tmp_path,
            "datastore",
            "register",
            "nob",
            "s3://missing-bucket",
            "-o",
            f"endpoint_url={s3_server.endpoint}",
            "-s",
            "key=aws-key",
            "-s",
            "secret=aws-secret",
            check=False,
        )
    )
    assert "secret 'nope' does not exist" in one_line_error(
        mlws(
            tmp_path,
            "datastore",
            "register",
            "nos",
            "s3://cli-bucket",
            "-s",
            "key=nope",
            check=False,
        )
    )
    assert "referenced by 1 dataset" in one_line_error(
        mlws(tmp_path, "datastore", "delete", "s3", check=False)
    )


def test_local_datastore_upload_and_file_dataset(tmp_path: Path) -> None:
    mlws(tmp_path, "init")
    data = tmp_path / "data"
    (data / "img").mkdir(parents=True)
    (data / "img" / "1.png").write_bytes(b"png")
    mlws(tmp_path, "datastore", "upload", "workspaceblobstore", str(data), "-t", "raw")
    made = json.loads(mlws(tmp_path, "dataset", "register", "img", "raw/img/**", "--json").stdout)
    assert made["ref"] == "img:1" and made["datastore"] == "workspaceblobstore"
    with pytest.raises(AssertionError):  # the profile of a file dataset is refused
        mlws(tmp_path, "dataset", "profile", "img")
