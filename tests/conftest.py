"""Shared fixtures: an isolated home and workspace for every test, and the store on
both supported databases (a SQLite file, and a real PostgreSQL server)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:  # pytest's default import mode already puts it there
    sys.path.insert(0, _HERE)

import postgres  # noqa: E402  (tests/postgres.py)
from helpers import write_notebook  # noqa: E402  (tests/helpers.py)

if TYPE_CHECKING:
    from jupyter_mlws.store import SqlStore

# Settings of the real user that must not leak into tests (MLWS_TEST_* configure the
# tests themselves, e.g. MLWS_TEST_POSTGRES_URL, and are kept).
_XDG_STATE = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")


@dataclass(frozen=True)
class IsolatedEnv:
    root: Path  # the test's tmp_path, also the current directory
    home: Path  # $HOME
    workspace: Path  # $MLWS_WORKSPACE (not created: first use creates it)


@pytest.fixture(scope="session")
def shared_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole session (pip, uv, matplotlib's font cache, …):
    outside the real home, and not rebuilt for every test."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_cache_dir: Path
) -> IsolatedEnv:
    """Every test runs in its own temporary folder, with its own home and workspace."""
    home = tmp_path / "home"
    home.mkdir()
    workspace = tmp_path / "workspace" / ".mlws"
    for name in list(os.environ):
        if name.startswith("MLWS_") and not name.startswith("MLWS_TEST_"):
            monkeypatch.delenv(name)
    for name in _XDG_STATE:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared_cache_dir))
    monkeypatch.setenv("MPLCONFIGDIR", str(shared_cache_dir / "matplotlib"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("MLWS_WORKSPACE", str(workspace))
    # No detached warm-kernel agent outliving a test unless the test asks for one.
    monkeypatch.setenv("MLWS_WARM_POOL_SIZE", "0")
    monkeypatch.chdir(tmp_path)
    return IsolatedEnv(root=tmp_path, home=home, workspace=workspace)


# ---- databases ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.PostgresServer]:
    """The PostgreSQL server of MLWS_TEST_POSTGRES_URL; skipped without it, except on CI."""
    url = postgres.server_url_from_env()
    if url is None:
        if postgres.ci_enabled():
            pytest.fail(f"CI is set, so the PostgreSQL tests must run: {postgres.missing_reason()}")
        pytest.skip(postgres.missing_reason())
    try:
        server = postgres.PostgresServer(url)
    except postgres.PostgresServerError as exc:
        pytest.fail(str(exc))
    yield server
    server.close()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a new, empty workspace database: a SQLite file, or a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mlws.db'}"
        return
    server: postgres.PostgresServer = request.getfixturevalue("postgres_server")
    with server.database() as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    """The store of a new workspace database, on each supported database in turn."""
    from jupyter_mlws.store import open_store  # here: a broken package fails only its users

    opened = open_store(store_url)
    yield opened
    opened.close()


@pytest.fixture
def notebook(tmp_path: Path) -> Callable[..., Path]:
    """Write a python3 notebook under ``tmp_path/src``: a ``parameters`` cell, then cells."""

    def make(parameters: str | None, *cells: str, name: str = "nb.ipynb") -> Path:
        return write_notebook(tmp_path / "src" / name, parameters, cells)

    return make
