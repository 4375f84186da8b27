"""Making a file dataset's files local: downloads and (non-FUSE) mounts.

Files are fetched once per fingerprint into ``<workspace>/cache/datasets/<fp>/`` (in
parallel, by the driver's batch ``get``) through a staging folder that is renamed into
place only when whole, so the folder existing means the copy is complete. Later
downloads of the same files hard-link from there (the cached files are read-only), so
a second ``as_download`` of unchanged data costs one listing plus links. A mount is
that cache folder itself (or, for a file:// datastore, the data's own folder): there
is no FUSE here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_mlws.data.filesystems import translated
from jupyter_mlws.data.fingerprint import fingerprint
from jupyter_mlws.exceptions import ResourceAlreadyExistsError

if TYPE_CHECKING:
    from jupyter_mlws.data.dataset import AbstractDataset
    from jupyter_mlws.entities import DatasetFile


def cached_copy(ds: AbstractDataset, files: list[DatasetFile]) -> Path:
    """A complete local copy of ``files`` (as listed now), shared by every user of it."""
    fp = fingerprint(files)
    cache = ds.workspace.cache_dir / "datasets" / fp[:32]
    if cache.is_dir():
        return cache
    fs, _ = ds.datastore.filesystem()
    base = ds.base_path()
    cache.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{fp[:12]}-", dir=cache.parent))
    try:
        remote = [_remote(base, f) for f in files]
        local = [str(staging / f.path) for f in files]
        for path in local:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        translated(f"downloading {ds._what()}", lambda: fs.get(remote, local))
        for path in local:  # downloads are hard links to these: keep them read-only
            os.chmod(path, 0o444)
        try:
            os.rename(staging, cache)
        except OSError:  # another process finished the same copy first: use theirs
            if not cache.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return cache


def download(ds: AbstractDataset, target: Path, overwrite: bool = False) -> list[Path]:
    files, _ = ds.current_files()
    root = str(target.expanduser().resolve())
    # Plain strings and one mkdir per folder: pathlib costs more than the links here.
    dests = [os.path.join(root, f.path) for f in files]
    if not overwrite:
        clash = [d for d in dests if os.path.lexists(d)]
        if clash:
            raise ResourceAlreadyExistsError(
                f"{len(clash)} file(s) already exist in {root} (e.g. {clash[0]}); "
                "pass overwrite=True"
            )
    source = str(cached_copy(ds, files))
    for folder in {os.path.dirname(d) for d in dests}:
        os.makedirs(folder, exist_ok=True)
    for f, dest in zip(files, dests):
        src = os.path.join(source, f.path)
        try:
            os.link(src, dest)
        except FileExistsError:
            os.unlink(dest)
            os.link(src, dest)
        except OSError:  # another filesystem, or links not allowed
            shutil.copyfile(src, dest)
    return [Path(d) for d in dests]


def mount(ds: AbstractDataset, mount_point: Path | None = None) -> Path:
    files, _ = ds.current_files()
    if ds.datastore.is_local and mount_point is None:
        return Path(ds.base_path())
    view = cached_copy(ds, files)
    if mount_point is None:
        return view
    mount_point = mount_point.expanduser().resolve()
    if mount_point.exists() and any(mount_point.iterdir()):
        raise ResourceAlreadyExistsError(f"mount point {mount_point} is not empty")
    mount_point.parent.mkdir(parents=True, exist_ok=True)
    if mount_point.exists():
        mount_point.rmdir()
    mount_point.symlink_to(view, target_is_directory=True)
    return mount_point


def _remote(base: str, f: DatasetFile) -> str:
    if base.endswith("/" + f.path) or base == f.path:
        return base  # a single-file dataset: its base is the file itself
    return f"{base}/{f.path}"
