"""The fenced code blocks of README.md, in document order, with their test markers.

A block runs in the README test unless the line right before its fence (blank lines
aside) is ``<!-- readme-test: skip (REASON) -->``; the test lists every skip and reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
PYTHON = ("python",)
SHELL = ("bash", "sh", "console")
_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
# The marker closest to the fence, with only blank space after it; never across "-->".
_MARKER = re.compile(r"<!--\s*readme-test:\s*((?:(?!-->).)*?)\s*-->\s*\Z", re.S)
_SKIP = re.compile(r"skip\s*\((.+)\)\Z", re.S)


class MarkerError(ValueError):
    """A ``readme-test`` marker the test does not understand (a typo must not skip)."""


@dataclass(frozen=True)
class Snippet:
    language: str  # "python" or "shell"
    code: str
    line: int  # 1-based line of the opening fence
    heading: str  # the section it is in, to name it in messages
    skip_reason: str | None

    @property
    def name(self) -> str:
        return f"README.md:{self.line} ({self.heading}, {self.language})"

    def cells(self) -> list[str]:
        """A Python block as notebook cells: a line starting with ``%`` after a blank
        line starts a new cell (how the README writes several cells in one block)."""
        if self.language != "python":
            return [self.code]
        cells: list[list[str]] = [[]]
        previous_blank = True
        for line in self.code.splitlines():
            if line.startswith("%") and previous_blank and cells[-1]:
                cells.append([])
            cells[-1].append(line)
            previous_blank = not line.strip()
        return ["\n".join(c).strip() + "\n" for c in cells if "".join(c).strip()]


def snippets(text: str | None = None) -> list[Snippet]:
    """Every ```python and shell block of the README, in document order."""
    text = README.read_text(encoding="utf-8") if text is None else text
    found: list[Snippet] = []
    for match in _FENCE.finditer(text):
        language = match.group(1).lower()
        if language not in PYTHON + SHELL:
            continue
        before = text[: match.start()]
        headings = re.findall(r"^#+ (.+)$", before, re.M)
        marker = _MARKER.search(before)
        reason = None
        if marker:
            skip = _SKIP.fullmatch(marker.group(1))
            if skip is None:
                line = before.count("\n") + 1
                raise MarkerError(f"README.md:{line}: unknown marker {marker.group(0)!r}")
            reason = skip.group(1).strip()
        found.append(
            Snippet(
                language="python" if language in PYTHON else "shell",
                code=match.group(2),
                line=before.count("\n") + 1,
                heading=headings[-1] if headings else "top",
                skip_reason=reason,
            )
        )
    return found
