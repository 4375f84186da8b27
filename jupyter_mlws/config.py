"""Where the workspace is and what `.mlws/workspace.json` says about it.

Resolution order (DESIGN §3): explicit argument → ``MLWS_WORKSPACE`` → nearest
``.mlws/`` walking up from the current folder → ``~/.mlws`` (created on first use).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from jupyter_mlws.exceptions import WorkspaceError
from jupyter_mlws.permissions import AccessModes

WORKSPACE_DIRNAME = ".mlws"
CONFIG_FILENAME = "workspace.json"
ENV_WORKSPACE = "MLWS_WORKSPACE"
ENV_RUN_ID = "MLWS_RUN_ID"
CONFIG_VERSION = 1


@dataclass
class SnapshotLimits:
    max_bytes: int = 2 * 1024**3
    max_files: int = 50_000


@dataclass
class WorkspaceConfig:
    """The contents of ``workspace.json``; relative paths are relative to the workspace."""

    db_url: str = "sqlite:///mlws.db"
    artifact_url: str = "blobs"
    snapshot: SnapshotLimits = field(default_factory=SnapshotLimits)
    heartbeat_seconds: float = 2.0
    # Other hosts only: on this host a run's liveness is checked by its pid. Longer
    # than the store's busy timeout, so a heartbeat stuck behind a writer is not death.
    lost_after_seconds: float = 120.0
    local_max_concurrency: int | None = None
    # Seconds between samples of a run's process tree (CPU, memory, I/O, GPU) written
    # as ``system/…`` metrics; null samples no submitted run. Views chart them apart
    # from the user's metrics, and run summaries and get_metrics() leave them out.
    system_metrics_interval: float | None = 5.0
    # None: the workspace is private to its owner (folders 0700, files 0600). A group
    # name: shared with that group (folders 2770, files 0660); see permissions.py.
    shared_group: str | None = None
    version: int = CONFIG_VERSION

    def access_modes(self) -> AccessModes:
        return AccessModes.for_group(self.shared_group)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: Path) -> WorkspaceConfig:
        group = data.get("shared_group")
        if group is not None and not isinstance(group, str):
            raise WorkspaceError(f"{source}: shared_group must be a group name, got {group!r}")
        data = dict(data)
        snapshot_data = data.pop("snapshot", {})
        if not isinstance(snapshot_data, dict):
            raise WorkspaceError(f"{source}: snapshot must be an object, got {snapshot_data!r}")
        try:
            snapshot = SnapshotLimits(**snapshot_data)
            config = cls(snapshot=snapshot, **data)
        except TypeError as exc:
            raise WorkspaceError(
                f"{source} has an unknown or misspelled setting ({exc}); fix or delete it "
                "(`mlws init --force` writes a fresh one)"
            ) from None
        for key, value, kind in _settings(config):
            _check_setting(source, key, value, kind)
        return config


# (setting, expected type): checked when the workspace opens, so a wrong type is named
# there instead of surfacing later as a hang or an "internal error: TypeError".
_NUMBER = "a positive number"
_COUNT = "a positive integer"
_OPTIONAL_COUNT = "a positive integer or null"
_OPTIONAL_NUMBER = "a positive number or null"
_TEXT = "a non-empty string"


def _settings(config: WorkspaceConfig) -> list[tuple[str, Any, str]]:
    return [
        ("db_url", config.db_url, _TEXT),
        ("artifact_url", config.artifact_url, _TEXT),
        ("snapshot.max_bytes", config.snapshot.max_bytes, _COUNT),
        ("snapshot.max_files", config.snapshot.max_files, _COUNT),
        ("heartbeat_seconds", config.heartbeat_seconds, _NUMBER),
        ("lost_after_seconds", config.lost_after_seconds, _NUMBER),
        ("local_max_concurrency", config.local_max_concurrency, _OPTIONAL_COUNT),
        ("system_metrics_interval", config.system_metrics_interval, _OPTIONAL_NUMBER),
        ("version", config.version, _COUNT),
    ]


def _check_setting(source: Path, key: str, value: Any, kind: str) -> None:
    if kind == _TEXT:
        ok = isinstance(value, str) and bool(value)
    elif value is None:
        ok = kind in (_OPTIONAL_COUNT, _OPTIONAL_NUMBER)
    elif isinstance(value, bool):  # JSON true is not 1 second
        ok = False
    elif kind in (_NUMBER, _OPTIONAL_NUMBER):
        ok = isinstance(value, (int, float)) and math.isfinite(value) and value > 0
    else:
        ok = isinstance(value, int) and value > 0
    if not ok:
        raise WorkspaceError(f"{source}: {key} must be {kind}, got {value!r}")


def resolve_root(path: str | os.PathLike[str] | None = None) -> Path:
    """The workspace folder (the `.mlws` folder itself) for an argument or the environment."""
    if path is not None:
        return _as_workspace_dir(Path(path))
    env = os.environ.get(ENV_WORKSPACE)
    if env:
        return _as_workspace_dir(Path(env))
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        candidate = folder / WORKSPACE_DIRNAME
        try:
            if (candidate / CONFIG_FILENAME).is_file():
                return candidate
        except PermissionError:  # another user's workspace: opening it says so, in one line
            return candidate
    return Path.home() / WORKSPACE_DIRNAME


def _as_workspace_dir(path: Path) -> Path:
    """Accept either a project folder or its `.mlws` folder."""
    path = path.expanduser().resolve()
    if path.name != WORKSPACE_DIRNAME and (path / WORKSPACE_DIRNAME).is_dir():
        return path / WORKSPACE_DIRNAME
    if path.name != WORKSPACE_DIRNAME and not (path / CONFIG_FILENAME).is_file():
        return path / WORKSPACE_DIRNAME
    return path


def load_config(root: Path) -> WorkspaceConfig:
    source = root / CONFIG_FILENAME
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorkspaceError(f"no workspace at {root}: run `mlws init` there first") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkspaceError(
            f"{source} is not valid JSON (line {exc.lineno}: {exc.msg}); fix it or run "
            "`mlws init --force` to write a fresh one (runs and blobs are kept)"
        ) from None
    if not isinstance(data, dict):
        raise WorkspaceError(f"{source} must hold a JSON object; run `mlws init --force`")
    config = WorkspaceConfig.from_dict(data, source)
    if config.version > CONFIG_VERSION:
        raise WorkspaceError(
            f"{source} was written by a newer jupyter-mlws; upgrade: pip install -U jupyter-mlws"
        )
    return config


def write_config(root: Path, config: WorkspaceConfig) -> None:
    modes = config.access_modes()
    modes.make_dir(root)
    target = root / CONFIG_FILENAME
    tmp = target.with_suffix(".json.tmp")
    # 0600 (0660 shared), whatever the umask: the store URL may carry a database password.
    fd = modes.create_file(tmp)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(config.to_json())
    os.replace(tmp, target)


def absolute_db_url(root: Path, db_url: str) -> str:
    """Make a relative ``sqlite:///file`` URL absolute, relative to the workspace folder."""
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and not db_url.startswith(prefix + "/"):
        rest = db_url[len(prefix) :]
        if rest and rest != ":memory:":
            return prefix + str((root / rest).resolve())
    return db_url


def sqlite_file(db_url: str) -> Path | None:
    """The database file of an absolute ``sqlite:///`` URL (None for other databases)."""
    prefix = "sqlite:///"
    if not db_url.startswith(prefix) or db_url[len(prefix) :] in ("", ":memory:"):
        return None
    return Path(db_url[len(prefix) :].split("?", 1)[0])


def absolute_artifact_url(root: Path, artifact_url: str) -> str:
    if "://" in artifact_url:
        return artifact_url
    path = Path(artifact_url).expanduser()
    return str(path if path.is_absolute() else (root / path).resolve())
