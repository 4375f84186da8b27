"""``inspect_parameters``: papermill's inference of names, types and defaults."""

from collections.abc import Callable
from pathlib import Path

import pytest

from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.notebooks import inspect_parameters


def test_names_types_defaults_and_help(notebook: Callable[..., Path]) -> None:
    path = notebook(
        'lr: float = 0.1  # learning rate\nepochs = 3\nname = "x"\nlayers = [64, 32]\n',
        "print(lr)",
    )
    found = {p.name: p for p in inspect_parameters(path)}
    assert list(found) == ["lr", "epochs", "name", "layers"]
    assert (found["lr"].type, found["lr"].default, found["lr"].help) == (
        "float",
        "0.1",
        "learning rate",
    )
    assert found["epochs"].default == "3"
    assert found["name"].default == '"x"'
    assert found["layers"].default == "[64, 32]"
    # no annotation: the type is the default's (papermill alone says "None")
    assert [found[n].type for n in ("epochs", "name", "layers")] == ["int", "str", "list"]


def test_type_of_a_default_that_is_no_literal_is_left_blank(notebook: Callable[..., Path]) -> None:
    path = notebook("n = len('abc')\nnothing = None\n", "print(n)")
    found = {p.name: p.type for p in inspect_parameters(path)}
    assert found == {"n": "", "nothing": "None"}


def test_a_notebook_without_parameters_cell_has_none(notebook: Callable[..., Path]) -> None:
    assert inspect_parameters(notebook(None, "x = 1")) == []


def test_missing_or_broken_notebook_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="no such notebook"):
        inspect_parameters(tmp_path / "nope.ipynb")
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    with pytest.raises(InvalidParameterError, match="cannot inspect"):
        inspect_parameters(broken)
