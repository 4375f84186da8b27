"""Opening a file by a relative path without ever leaving its folder.

``open(root / rel)`` follows symbolic links in every part of the path, so a link
planted anywhere below ``root`` (``outputs/p -> /etc/passwd``, or a folder
``mlws-outputs/exp-1 -> /home/other``) would make us read or write outside it. Here
each part is opened relative to the folder before it with ``O_NOFOLLOW``: the kernel
refuses a link at the moment of opening, so a link swapped in after a check cannot
win a race either. This is the one place that opens files under a folder we must
stay inside: collected run outputs and output notebooks written into the server root.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

from jupyter_mlws.artifacts.manifest import is_safe_relative_path
from jupyter_mlws.exceptions import InvalidParameterError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_LINK_ERRORS = (errno.ELOOP, errno.ENOTDIR, errno.EMLINK)


class PathEscapeError(InvalidParameterError):
    """A path under a folder is (or goes through) a symbolic link or a special file."""


def open_beneath(
    root: str | os.PathLike[str],
    rel: str,
    flags: int = os.O_RDONLY,
    *,
    create_mode: int = 0o666,
    make_dirs: bool = False,
    dir_mode: int = 0o777,
) -> int:
    """A file descriptor for ``root/rel``, refusing any symbolic link on the way.

    ``root`` itself is trusted (the caller resolved it); every part of ``rel`` must be
    a real folder or, for the last one, a regular file. ``make_dirs`` creates missing
    folders with ``dir_mode`` (the umask applies, as for ``os.makedirs``). Raises
    ``PathEscapeError`` for a link or special file, ``FileNotFoundError`` for a
    missing part, and ``InvalidParameterError`` for an unsafe ``rel``.
    """
    if not is_safe_relative_path(rel):
        raise InvalidParameterError(f"unsafe relative path {rel!r}")
    *folders, name = rel.split("/")
    dir_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for depth, part in enumerate(folders):
            inner = _open_folder(dir_fd, part, make_dirs, dir_mode, root, folders[: depth + 1])
            os.close(dir_fd)
            dir_fd = inner
        fd = _open_file(dir_fd, name, flags, create_mode, root, rel)
    finally:
        os.close(dir_fd)
    return fd


def _open_folder(
    dir_fd: int, part: str, make: bool, mode: int, root: str | os.PathLike[str], rel: list[str]
) -> int:
    if make:
        with contextlib.suppress(FileExistsError):  # an existing link: refused below
            os.mkdir(part, mode, dir_fd=dir_fd)
    try:
        return os.open(part, _DIR_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in _LINK_ERRORS:
            raise _escape(root, "/".join(rel), "is a symbolic link or not a folder") from None
        raise


def _open_file(
    dir_fd: int, name: str, flags: int, mode: int, root: str | os.PathLike[str], rel: str
) -> int:
    # O_NONBLOCK: opening a FIFO planted under the name must not hang us; it is then
    # refused by the S_ISREG check. Regular files ignore the flag.
    try:
        fd = os.open(
            name, flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, mode, dir_fd=dir_fd
        )
    except OSError as exc:
        if exc.errno in _LINK_ERRORS:
            raise _escape(root, rel, "is a symbolic link") from None
        if exc.errno == errno.ENXIO:  # a FIFO without a reader, opened for writing
            raise _escape(root, rel, "is not a regular file") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _escape(root, rel, "is not a regular file")
    os.set_blocking(fd, True)
    return fd


def _escape(root: str | os.PathLike[str], rel: str, why: str) -> PathEscapeError:
    return PathEscapeError(f"refusing {os.path.join(os.fspath(root), rel)}: it {why}")
