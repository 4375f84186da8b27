"""``%%run --env NAME[:VERSION]``: parsed strictly, refused with --inline."""

from __future__ import annotations

import pytest

from jupyter_mlws.magics.errors import MagicError
from jupyter_mlws.magics.run_options import parse_run_options, split_magic_line


def test_env_names_the_environment() -> None:
    assert parse_run_options("--env sk:2 -c local").environment == "sk:2"
    assert parse_run_options("--environment sk").environment == "sk"
    assert parse_run_options("").environment is None


def test_inline_runs_here_so_it_takes_no_environment() -> None:
    with pytest.raises(MagicError, match="--inline"):
        parse_run_options("--inline --env sk")


def test_a_trailing_comment_on_the_magic_line_is_a_comment() -> None:
    # The README writes "%%run -e mnist -p lr=0.1  # the cell becomes a run".
    options = parse_run_options("-e mnist -p lr=0.1  # the cell becomes a run")
    assert options.experiment == "mnist"
    assert parse_run_options("-t note=#1").tags == {"note": "#1"}  # inside a word: kept
    assert parse_run_options("-t 'why=a # b' -n \\#x").tags == {"why": "a # b"}
    assert split_magic_line("run list -e m  # the CLI's words") == ["run", "list", "-e", "m"]
