"""A lock: the exact package versions a first build resolved, and its hash.

The text is a requirements file (``name==version`` lines, sorted) headed by the python
version; its sha256 keys the build cache, so two environment versions that resolve to
the same packages share one build.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

_HEADER = "# python "
_NORMALIZE = re.compile(r"[-_.]+")


def canonical_name(requirement: str) -> str:
    name = re.split(r"[\s\[=<>!~;@]", requirement.strip(), maxsplit=1)[0]
    return _NORMALIZE.sub("-", name).lower()


@dataclass(frozen=True)
class Lock:
    python: str
    packages: tuple[str, ...]

    @classmethod
    def from_lines(cls, python: str, lines: Iterable[str]) -> Lock:
        pins = {
            canonical_name(line): line.strip()
            for line in lines
            if line.strip() and not line.lstrip().startswith(("#", "-"))
        }
        return cls(python, tuple(pins[name] for name in sorted(pins)))

    @classmethod
    def parse(cls, text: str) -> Lock:
        lines = text.splitlines()
        python = lines[0][len(_HEADER) :].strip() if lines and lines[0].startswith(_HEADER) else ""
        return cls.from_lines(python, lines[1:] if python else lines)

    @property
    def text(self) -> str:
        return "\n".join([f"{_HEADER}{self.python}", *self.packages]) + "\n"

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def names(self) -> set[str]:
        return {canonical_name(p) for p in self.packages}
