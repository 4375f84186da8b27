"""The stat pass over a source folder: which files a snapshot would hold, and how big.

Nothing is read here, only listed and stat'ed, so that limits can be checked before
any hashing or uploading starts. Ignored folders are pruned (never entered), which is
what keeps a project with a big ``.venv`` or ``node_modules`` fast.

Symbolic links are followed only when they point inside the source folder: a link to
``/etc`` or ``~/.ssh`` must never end up in a snapshot (nor in a run's collected
outputs, which walk the same way). Such links are listed in ``Scan.outside_links`` so
the caller can say what it left out. Links to folders are followed with loop
detection; sockets, pipes and devices are skipped. A followed link is stored as the
content of its target: artifacts and snapshots hold plain files only.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import NamedTuple

from jupyter_mlws.artifacts.ignore import IgnoreRules
from jupyter_mlws.exceptions import InvalidParameterError


class ScannedFile(NamedTuple):
    """One file found by the walk, with the stat the stat cache keys on.

    A named tuple, not a frozen dataclass: one is built per file, and on a 10,000-file
    tree the dataclass construction alone would cost tens of milliseconds.
    """

    rel: str
    """Path relative to the source folder, posix separators."""
    abs: str
    size: int
    mode: int
    mtime_ns: int
    ino: int


@dataclass
class Scan:
    """The result of a walk; ``truncated`` when it stopped early at ``stop_after``."""

    files: list[ScannedFile] = field(default_factory=list)
    truncated: bool = False
    outside_links: list[str] = field(default_factory=list)
    """Relative paths of links that point outside the folder: never followed."""

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)


class _Folder(NamedTuple):
    path: str
    rel: str
    real: str
    ancestors: frozenset[str]
    """Real paths of the folders above (and including) this one: the loop guard."""


def scan_tree(
    root: str,
    rules: IgnoreRules | None,
    *,
    exclude: frozenset[str] = frozenset(),
    stop_after: int | None = None,
) -> Scan:
    """Walk ``root`` (an absolute, resolved path) and stat every file not ignored.

    ``rules`` None keeps everything (collected outputs have no ignore file).

    ``exclude`` holds absolute paths to leave out whatever the rules say (the stat
    cache or a local blob store inside the source folder). ``stop_after`` bounds the
    work on a huge tree that will be refused anyway.
    """
    walker = _Walker(root, rules, exclude, stop_after)
    return walker.run()


class _Walker:
    """Depth-first walk with an explicit stack: no recursion limit on deep trees."""

    def __init__(
        self, root: str, rules: IgnoreRules | None, exclude: frozenset[str], stop_after: int | None
    ) -> None:
        self.root = root
        self.rules = rules
        self.exclude = exclude
        self.stop_after = stop_after
        self.scan = Scan()
        self.pending = [_Folder(root, "", root, frozenset({root}))]

    def run(self) -> Scan:
        while self.pending:
            self._scan_folder(self.pending.pop())
            if self.stop_after is not None and len(self.scan.files) > self.stop_after:
                self.scan.truncated = True
                break
        return self.scan

    def _scan_folder(self, folder: _Folder) -> None:
        try:
            with os.scandir(folder.path) as entries:
                for entry in entries:
                    self._visit(entry, folder)
        except PermissionError:
            raise _unreadable(folder.path, folder.rel, self.root) from None

    def _visit(self, entry: os.DirEntry[str], folder: _Folder) -> None:
        rel = f"{folder.rel}/{entry.name}" if folder.rel else entry.name
        if entry.path in self.exclude:
            return
        if entry.is_dir(follow_symlinks=False):
            if not self._ignored(rel, is_dir=True):
                real = f"{folder.real}/{entry.name}"
                self.pending.append(_Folder(entry.path, rel, real, folder.ancestors | {real}))
        elif entry.is_file(follow_symlinks=False):
            if not self._ignored(rel):
                self._add_entry(rel, entry)
        elif entry.is_symlink():
            self._visit_link(entry, rel, folder)
        # anything else is a socket, pipe or device: never part of a snapshot

    def _ignored(self, rel: str, is_dir: bool = False) -> bool:
        return self.rules is not None and self.rules.is_ignored(rel, is_dir=is_dir)

    def _visit_link(self, entry: os.DirEntry[str], rel: str, folder: _Folder) -> None:
        target = os.path.realpath(entry.path)
        if not target.startswith(self.root + os.sep) or target in self.exclude:
            if not self._ignored(rel):  # outside the folder (or the folder itself)
                self.scan.outside_links.append(rel)
            return
        try:
            st = os.stat(target)
        except OSError:
            return  # dangling link
        if stat.S_ISDIR(st.st_mode):
            if target not in folder.ancestors and not self._ignored(rel, is_dir=True):
                ancestors = folder.ancestors | {target}
                self.pending.append(_Folder(entry.path, rel, target, ancestors))
        elif stat.S_ISREG(st.st_mode) and not self._ignored(rel):
            self._add(rel, entry.path, st)

    def _add_entry(self, rel: str, entry: os.DirEntry[str]) -> None:
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            return  # deleted while we walked: not part of this snapshot
        self._add(rel, entry.path, st)

    def _add(self, rel: str, path: str, st: os.stat_result) -> None:
        mode = st.st_mode & 0o777
        self.scan.files.append(ScannedFile(rel, path, st.st_size, mode, st.st_mtime_ns, st.st_ino))


def _unreadable(path: str, rel: str, root: str) -> InvalidParameterError:
    where = f"{rel}/" if rel else "the source folder"
    return InvalidParameterError(
        f"cannot read {path} (permission denied); make {where} readable or add it to "
        f".mlwsignore (gitignore syntax) in {root}"
    )
