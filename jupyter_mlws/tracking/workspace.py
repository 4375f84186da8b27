"""The workspace: a `.mlws/` folder holding the SQL store, the blob store and config."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from jupyter_mlws import config as cfg
from jupyter_mlws.artifacts.blobs import BlobStore
from jupyter_mlws.entities import Experiment as ExperimentInfo
from jupyter_mlws.exceptions import ResourceAlreadyExistsError
from jupyter_mlws.store import SqlStore, open_store

if TYPE_CHECKING:
    from jupyter_mlws.tracking.experiment import Experiment
    from jupyter_mlws.tracking.run import Run

W = TypeVar("W", bound="Workspace")
_open_lock = threading.Lock()
_opened: dict[tuple[type, Path, int], Any] = {}


class Workspace:
    """The tracking core of a workspace: config, SQL store, blob store, experiments, runs.

    ``jupyter_mlws.Workspace`` extends it with compute, models and endpoints; this core
    is what runs and jobs need, and it imports nothing above tracking.
    """

    def __init__(self, root: Path, config: cfg.WorkspaceConfig) -> None:
        self.root = root
        self.config = config
        self.db_url = cfg.absolute_db_url(root, config.db_url)
        self.artifact_url = cfg.absolute_artifact_url(root, config.artifact_url)
        self.store: SqlStore = open_store(self.db_url)
        self.blobs = BlobStore(self.artifact_url)

    # ---- opening ------------------------------------------------------------------
    @classmethod
    def init(
        cls: type[W],
        path: str | os.PathLike[str] | None = None,
        *,
        db_url: str | None = None,
        artifact_url: str | None = None,
        force: bool = False,
    ) -> W:
        """Create `.mlws/` in ``path`` (default: the current folder)."""
        root = cfg.resolve_root(path if path is not None else Path.cwd())
        exists = (root / cfg.CONFIG_FILENAME).is_file()
        if exists and not force and db_url is None and artifact_url is None:
            return cls.open(root)
        if exists and not force:
            raise ResourceAlreadyExistsError(
                f"a workspace already exists at {root}; pass --force to rewrite its config"
            )
        config = cfg.WorkspaceConfig()
        if db_url:
            config.db_url = db_url
        if artifact_url:
            config.artifact_url = artifact_url
        cfg.write_config(root, config)
        _forget(root)
        return cls.open(root)

    @classmethod
    def open(cls: type[W], path: str | os.PathLike[str]) -> W:
        return _open(cls, cfg.resolve_root(path), must_exist=True)

    @classmethod
    def current(cls: type[W]) -> W:
        """Explicit env → nearest `.mlws/` upwards → `~/.mlws` (created on first use)."""
        root = cfg.resolve_root()
        return _open(cls, root, must_exist=False)

    # ---- experiments and runs -------------------------------------------------------
    def experiment(self, name: str) -> Experiment:
        """Get or create the experiment ``name``."""
        from jupyter_mlws.tracking.experiment import Experiment

        return Experiment(self, name)

    def experiments(self, include_archived: bool = False) -> list[ExperimentInfo]:
        return self.store.list_experiments(include_archived=include_archived)

    def get_run(self, ref: str) -> Run:
        """A run by the references the CLI takes: its id, a unique 6+ character id prefix,
        or ``EXPERIMENT:NUMBER`` (``ws.get_run("mnist:3")``)."""
        from jupyter_mlws.tracking.run import Run

        return Run.get(self, self.store.resolve_run_id(ref))

    @property
    def cache_dir(self) -> Path:
        path = self.root / "cache"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    def details(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "db_url": _redact(self.db_url),
            "artifact_url": self.artifact_url,
            "experiments": len(self.experiments()),
        }

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"


def _open(cls: type[W], root: Path, must_exist: bool) -> W:
    # One Workspace per folder and process: opening checks the schema, which is not free.
    key = (cls, root, os.getpid())
    with _open_lock:
        found = _opened.get(key)
        if found is not None:
            return found
        if not (root / cfg.CONFIG_FILENAME).is_file():
            if must_exist:
                cfg.load_config(root)  # raises the "run mlws init" error
            cfg.write_config(root, cfg.WorkspaceConfig())
        ws = cls(root, cfg.load_config(root))
        _opened[key] = ws
        return ws


def _forget(root: Path) -> None:
    with _open_lock:
        stale = [k for k in _opened if k[1] == root]
        for key in stale:
            _opened.pop(key).store.close()


def _redact(url: str) -> str:
    """Never show a database password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url
