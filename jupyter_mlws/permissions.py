"""Who may read a workspace: the modes its folders and files are created with.

A workspace holds every run, param, log and artifact, and ``workspace.json`` may hold
a database password, so by default it is private to its owner: folders 0700, files
0600, blobs 0400 (read-only: they are immutable). A team that shares a workspace on a
shared folder opts into group access once, with ``mlws init --shared-group GROUP``
(``"shared_group"`` in ``workspace.json``): folders 2770 (setgid, so what is made
inside keeps the group), files 0660, blobs 0440, and the group set explicitly.

Modes are set with ``chmod`` right after creation, never left to the umask: a umask
of 000 must not make a world-readable database, and one of 077 must not lock the
team out of a shared workspace.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from jupyter_mlws.exceptions import InvalidParameterError


@dataclass(frozen=True)
class AccessModes:
    """The modes of what a workspace creates; ``gid`` None keeps the creator's group."""

    dir_mode: int = 0o700
    file_mode: int = 0o600
    gid: int | None = None

    @classmethod
    def for_group(cls, group: str | None) -> AccessModes:
        """Private without a group; group-shared (2770/0660) with one (name or gid)."""
        if group is None:
            return cls()
        gid = group_id(group)
        if os.geteuid() != 0 and gid != os.getegid() and gid not in os.getgroups():
            raise InvalidParameterError(
                f"you are not a member of group {group!r}, so its files cannot be given to it"
            )
        return cls(0o2770, 0o660, gid)

    @classmethod
    def like(cls, folder: str | os.PathLike[str]) -> AccessModes:
        """The modes of a workspace folder, read from the folder itself.

        For code that is handed a path but not the workspace's settings (caches, logs):
        a setgid, group-writable folder is a shared one, anything else is private.
        """
        st = os.stat(folder)
        if st.st_mode & stat.S_ISGID and st.st_mode & 0o070 == 0o070:
            return cls(0o2770, 0o660, st.st_gid)
        return cls()

    @property
    def read_only_mode(self) -> int:
        """Immutable files (blobs): the file mode without write bits."""
        return self.file_mode & 0o444

    def make_dir(self, path: Path) -> Path:
        """Create ``path`` (and missing parents) and give ``path`` itself our mode.

        Only a folder this call creates gets the mode: an existing one was chosen by
        its owner. Parents above it are made as ``os.makedirs`` would.
        """
        if path.is_dir():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(path, self.dir_mode & 0o777)
        except FileExistsError:
            return path  # made meanwhile by another process, which set its mode
        self.apply(path, self.dir_mode)
        return path

    def create_file(
        self, path: str | os.PathLike[str], flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    ) -> int:
        """Open (creating) ``path`` and set our file mode on it; returns the descriptor."""
        fd = os.open(path, flags | os.O_CLOEXEC, self.file_mode)
        try:
            self.apply_fd(fd, self.file_mode)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def apply_tree(self, root: Path) -> None:
        """Give ``root`` and everything below it our modes (read-only files stay so)."""
        self.apply(root, self.dir_mode)
        for folder, dirs, files in os.walk(root):
            for name in dirs:
                self.apply(os.path.join(folder, name), self.dir_mode)
            for name in files:
                path = os.path.join(folder, name)
                st = os.lstat(path)
                if stat.S_ISLNK(st.st_mode):
                    continue  # chmod would change the link's target, wherever it is
                writable = st.st_mode & 0o200
                self.apply(path, self.file_mode if writable else self.read_only_mode)

    def apply(self, path: str | os.PathLike[str], mode: int) -> None:
        if self.gid is not None:
            os.chown(path, -1, self.gid)  # before chmod: chown may clear the setgid bit
        os.chmod(path, mode)

    def apply_fd(self, fd: int, mode: int) -> None:
        if self.gid is not None:
            os.fchown(fd, -1, self.gid)
        os.fchmod(fd, mode)


def group_id(group: str) -> int:
    """The gid of a group name or number; a clear error for an unknown group."""
    import grp  # POSIX only, like group-shared folders

    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        pass
    if group.isdigit():
        return int(group)
    raise InvalidParameterError(
        f"unknown group {group!r}: name an existing group (see `getent group`)"
    )
