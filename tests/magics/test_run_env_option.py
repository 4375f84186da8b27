"""``%%run --env NAME[:VERSION]``: parsed strictly, refused with --inline."""

from __future__ import annotations

import pytest

from jupyter_mlws.magics.errors import MagicError
from jupyter_mlws.magics.run_options import parse_run_options


def test_env_names_the_environment() -> None:
    assert parse_run_options("--env sk:2 -c local").environment == "sk:2"
    assert parse_run_options("--environment sk").environment == "sk"
    assert parse_run_options("").environment is None


def test_inline_runs_here_so_it_takes_no_environment() -> None:
    with pytest.raises(MagicError, match="--inline"):
        parse_run_options("--inline --env sk")
