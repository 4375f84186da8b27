"""Refuse oversized snapshots before any work is done, and say what to ignore.

The usual cause is a data set, a checkpoint folder or a virtual environment living in
the project. Hashing and uploading gigabytes only to fail would waste minutes, so the
check runs on the stat pass alone, and the error names the biggest offenders so the
user can fix it with one edit of ``.mlwsignore``.
"""

from __future__ import annotations

from collections import Counter

from jupyter_mlws.artifacts.ignore import GITIGNORE_FILENAME, IGNORE_FILENAME, IgnoreRules
from jupyter_mlws.artifacts.tree import Scan, ScannedFile
from jupyter_mlws.config import SnapshotLimits
from jupyter_mlws.exceptions import SnapshotTooLargeError

TOP_N = 5


def stop_counting_after(limits: SnapshotLimits) -> int:
    """How far the walk goes before giving up: far enough to show who is to blame."""
    return 2 * limits.max_files


def check_limits(root: str, scan: Scan, limits: SnapshotLimits, rules: IgnoreRules) -> None:
    """Raise ``SnapshotTooLargeError`` when the scanned files exceed either limit."""
    count, total = len(scan.files), scan.total_bytes
    if not scan.truncated and count <= limits.max_files and total <= limits.max_bytes:
        return
    lines = [_headline(root, scan, limits)]
    lines += _largest_files(scan.files)
    lines += _busiest_folders(scan.files)
    lines += _how_to_fix(root, scan.files, rules)
    raise SnapshotTooLargeError("\n".join(lines))


def _headline(root: str, scan: Scan, limits: SnapshotLimits) -> str:
    count, total = len(scan.files), scan.total_bytes
    at_least = "more than " if scan.truncated else ""
    return (
        f"the source folder {root} is too large to snapshot: "
        f"{at_least}{count:,} files (limit {limits.max_files:,}), "
        f"{at_least}{human_size(total)} (limit {human_size(limits.max_bytes)})"
    )


def _largest_files(files: list[ScannedFile]) -> list[str]:
    largest = sorted(files, key=lambda f: (-f.size, f.rel))[:TOP_N]
    return ["largest files:"] + [f"  {f.rel}  {human_size(f.size)}" for f in largest]


def _busiest_folders(files: list[ScannedFile]) -> list[str]:
    """Folders by number of files beneath them (at any depth), the root excluded."""
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for f in files:
        parts = f.rel.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth])
            counts[folder] += 1
            sizes[folder] += f.size
    if not counts:
        return []
    busiest = sorted(counts, key=lambda d: (-counts[d], d))[:TOP_N]
    lines = ["folders with the most files:"]
    return lines + [f"  {d}/  {counts[d]:,} files, {human_size(sizes[d])}" for d in busiest]


def _how_to_fix(root: str, files: list[ScannedFile], rules: IgnoreRules) -> list[str]:
    lines = [
        f"to leave them out, add them to {IGNORE_FILENAME} (gitignore syntax) in {root}, "
        "one per line, for example:"
    ]
    examples = _examples(files)
    lines += [f"  /{example}" for example in examples]
    if rules.source is not None and rules.source.name == GITIGNORE_FILENAME:
        lines.append(
            f"(the rules now come from {GITIGNORE_FILENAME}; once {IGNORE_FILENAME} exists "
            f"it is used instead, so copy over the lines of {GITIGNORE_FILENAME} you need)"
        )
    return lines


def _examples(files: list[ScannedFile]) -> list[str]:
    """The top-level folder holding most files, and the largest file."""
    top: Counter[str] = Counter(f.rel.split("/")[0] + "/" for f in files if "/" in f.rel)
    examples = [top.most_common(1)[0][0]] if top else []
    if files:
        biggest = max(files, key=lambda f: f.size).rel
        if not any(biggest.startswith(e) for e in examples):
            examples.append(biggest)
    return examples


def human_size(n: int) -> str:
    """Bytes in binary units, e.g. ``1.5 GiB``."""
    if n < 1024:
        return f"{n:,} B"
    size = n / 1024
    for unit in ("KiB", "MiB", "GiB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} TiB"
