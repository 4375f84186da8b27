"""Step scripts and helpers shared by the pipeline tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

PREP = """
import os, sys
out = sys.argv[sys.argv.index("--out") + 1]
with open(os.path.join(out, "data.txt"), "w") as f:
    f.write("rows " + sys.argv[-1])
"""

TRAIN = """
import os, sys
data = open(os.path.join(sys.argv[sys.argv.index("--in") + 1], "data.txt")).read()
print("train read", data, "lr", sys.argv[sys.argv.index("--lr") + 1])
"""


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body))
    return path
