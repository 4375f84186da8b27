"""The workspace: a `.mlws/` folder holding the SQL store, the blob store and config."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from jupyter_mlws import config as cfg
from jupyter_mlws.artifacts.blobs import BlobStore
from jupyter_mlws.entities import Experiment as ExperimentInfo
from jupyter_mlws.exceptions import ResourceAlreadyExistsError, WorkspaceError
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
        self.modes = config.access_modes()
        self.store: SqlStore = open_store(self.db_url, self.modes)
        self.blobs = BlobStore(self.artifact_url, modes=self.modes)

    # ---- opening ------------------------------------------------------------------
    @classmethod
    def init(
        cls: type[W],
        path: str | os.PathLike[str] | None = None,
        *,
        db_url: str | None = None,
        artifact_url: str | None = None,
        force: bool = False,
        shared_group: str | None = None,
    ) -> W:
        """Create `.mlws/` in ``path`` (default: the current folder).

        Private to its owner by default; ``shared_group`` shares it with a group.
        """
        root = cfg.resolve_root(path if path is not None else Path.cwd())
        exists = (root / cfg.CONFIG_FILENAME).is_file()
        asked = (db_url, artifact_url, shared_group)
        if exists and not force and all(value is None for value in asked):
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
        modes = config.access_modes()  # an unknown group is refused before any write
        if shared_group:
            config.shared_group = shared_group
            modes = config.access_modes()
            if root.is_dir():
                modes.apply_tree(root)  # an existing workspace joins the group as a whole
        # Connect (and create the schema) before writing: a wrong URL or password must
        # leave the existing workspace.json as it was.
        modes.make_dir(root)
        open_store(cfg.absolute_db_url(root, config.db_url), modes).close()
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
        """Get or create the experiment ``name`` (the one call that creates experiments)."""
        from jupyter_mlws.tracking.experiment import Experiment

        return Experiment(self, self.store.get_or_create_experiment(name))

    def experiments(self, include_archived: bool = False) -> list[ExperimentInfo]:
        return self.store.list_experiments(include_archived=include_archived)

    def get_run(self, ref: str) -> Run:
        """A run by the references the CLI takes: its id, a unique 6+ character id prefix,
        or ``EXPERIMENT:NUMBER`` (``ws.get_run("mnist:3")``)."""
        from jupyter_mlws.tracking.run import Run

        return Run.get(self, self.store.resolve_run_id(ref))

    @property
    def cache_dir(self) -> Path:
        return self.modes.make_dir(self.root / "cache")

    @property
    def runs_dir(self) -> Path:
        return self.modes.make_dir(self.root / "runs")

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
        try:
            ws = _open_new(cls, root, must_exist)
        except PermissionError as exc:
            raise _unreadable(root, exc) from None
        _opened[key] = ws
        return ws


def _open_new(cls: type[W], root: Path, must_exist: bool) -> W:
    if not (root / cfg.CONFIG_FILENAME).is_file():
        if must_exist:
            cfg.load_config(root)  # raises the "run mlws init" error
        cfg.write_config(root, cfg.WorkspaceConfig())
    config = cfg.load_config(root)
    db_file = cfg.sqlite_file(cfg.absolute_db_url(root, config.db_url))
    if db_file is not None and db_file.exists() and not os.access(db_file, os.R_OK | os.W_OK):
        # SQLite would only say "unable to open database file"
        raise PermissionError(13, "Permission denied", str(db_file))
    return cls(root, config)


def _unreadable(root: Path, exc: PermissionError) -> WorkspaceError:
    where = exc.filename or root
    return WorkspaceError(
        f"cannot use the workspace at {root}: permission denied on {where} (it belongs to "
        f"another user; ask for access, or set {cfg.ENV_WORKSPACE} to a workspace of yours)"
    )


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
