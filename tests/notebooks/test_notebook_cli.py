"""``mlws notebook params`` and ``mlws notebook submit`` (papermill's -p convention)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jupyter_mlws import Run, Workspace
from jupyter_mlws.cli import invoke
from jupyter_mlws.cli.context import CliContext
from jupyter_mlws.cli.output import Output


def mlws(ws: Workspace, *args: str) -> tuple[int, Any]:
    stream = io.StringIO()
    code = invoke(["-w", str(ws.root), "--json", *args], obj=CliContext(output=Output(stream)))
    text = stream.getvalue()
    return code, json.loads(text) if text.strip() else None


def test_params_lists_names_types_and_defaults(
    ws: Workspace, notebook: Callable[..., Path]
) -> None:
    path = notebook("epochs: int = 3  # passes\nname = 'a'", "print(epochs)")
    code, found = mlws(ws, "notebook", "params", str(path))
    assert code == 0
    assert found == [
        {"name": "epochs", "type": "int", "default": "3", "help": "passes"},
        {"name": "name", "type": "str", "default": "'a'", "help": ""},  # from its default
    ]


def test_submit_types_values_like_papermill_and_waits(
    ws: Workspace, notebook: Callable[..., Path]
) -> None:
    path = notebook(
        "\n".join(f"{name} = 'default'" for name in "abcdefg"),
        "from jupyter_mlws import Run\n"
        "Run.get_context().set_tags({'types': ' '.join(type(v).__name__ "
        "for v in (a, b, c, d, e, f, g))})",
    )
    code, record = mlws(
        ws,
        "notebook",
        "submit",
        str(path),
        "-e",
        "cli",
        "-t",
        "who=cli",
        "--wait",
        "-p",
        "a",
        "1",
        "-p",
        "b",
        "0.5",
        "-p",
        "c",
        "True",
        "-p",
        "d",
        "None",
        "-p",
        "e",
        "text",
        "-r",
        "f",
        "1",
        "-j",
        '{"g": {"k": [1]}}',
    )
    assert code == 0 and record["status"] == "Completed"
    run = Run(ws, record["id"])
    assert run.get_tags()["types"] == "int float bool NoneType str str dict"
    assert run.get_tags()["who"] == "cli"
    assert run.record.params["g"] == '{"k":[1]}'


def test_submit_errors_are_one_line(
    ws: Workspace, notebook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = notebook("x = 1", "print(x)")
    assert mlws(ws, "notebook", "submit", str(path), "-c", "nowhere")[0] == 1
    assert mlws(ws, "notebook", "submit", str(path), "-j", "[1]")[0] == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors[0].startswith("mlws: error: unknown compute target 'nowhere'")
    assert errors[1] == "mlws: error: --parameters-json must be a JSON object"


def test_unknown_parameter_is_refused_naming_the_notebooks_own(
    ws: Workspace, notebook: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = notebook("epochs = 3\nlr = 0.1", "print(epochs, lr)")
    bare = notebook(None, "print('no parameters cell')", name="bare.ipynb")
    assert mlws(ws, "notebook", "submit", str(path), "-e", "unk", "-p", "epoch", "5")[0] == 1
    assert mlws(ws, "notebook", "submit", str(bare), "-e", "unk", "-p", "lr", "1")[0] == 1
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors[0].startswith("mlws: error: notebook ") and "no parameter 'epoch'" in errors[0]
    assert "its parameters are epochs, lr" in errors[0] and "--allow-unknown-params" in errors[0]
    assert "it has no cell tagged 'parameters'" in errors[1]
    assert ws.store.find_experiment("unk") is None  # nothing half-made
    code, record = mlws(
        ws, "notebook", "submit", str(bare), "-e", "unk", "-p", "lr", "1",
        "--allow-unknown-params", "--wait",
    )  # fmt: skip
    assert code == 0 and record["params"] == {"lr": "1"}


def test_recorded_params_include_the_defaults_the_run_used(
    ws: Workspace, notebook: Callable[..., Path]
) -> None:
    path = notebook("epochs = 3\nlr = 0.1\nname = 'base'\nsteps = len('abcd')", "print(lr)")
    code, record = mlws(ws, "notebook", "submit", str(path), "-e", "dflt", "-p", "lr", "0.5")
    assert code == 0
    assert record["params"] == {
        "epochs": "3",
        "lr": "0.5",
        "name": "base",
        "steps": "len('abcd')",  # not a literal: its source text
    }
