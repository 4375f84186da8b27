"""Executing a cell's code in the user's namespace the way IPython would.

IPython syntax is translated first; the code is compiled under a file name that
IPython caches, so tracebacks show the cell's lines; a final expression is evaluated
and returned, so it is displayed as the cell's value.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from types import CodeType, TracebackType
from typing import Any


def has_ipython_syntax(shell: Any, cell: str) -> bool:
    """Magics, ``!shell`` lines and the like: the cell is not plain Python."""
    return str(shell.transform_cell(cell)).rstrip() != cell.rstrip()


@dataclass(frozen=True)
class CompiledCell:
    filename: str
    body: CodeType
    last: CodeType | None  # the final expression, whose value is the cell's value

    def run(self, shell: Any) -> Any:
        __tracebackhide__ = True  # IPython hides this frame in tracebacks
        exec(self.body, shell.user_global_ns, shell.user_ns)
        if self.last is None:
            return None
        return eval(self.last, shell.user_global_ns, shell.user_ns)

    def user_traceback(self, exc: BaseException) -> TracebackType | None:
        """The traceback from the cell's first frame on: our frames are noise to users."""
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != self.filename:
            tb = tb.tb_next
        return tb or exc.__traceback__


def compile_cell(shell: Any, cell: str) -> CompiledCell:
    """``SyntaxError`` here means the cell never ran."""
    source = shell.transform_cell(cell)
    filename = shell.compile.cache(source, _cell_number(shell), raw_code=cell)
    tree = ast.parse(source, filename=filename)
    last: CodeType | None = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        expression = ast.Expression(tree.body.pop().value)
        last = compile(expression, filename, "eval")
    return CompiledCell(filename, compile(tree, filename, "exec"), last)


def _cell_number(shell: Any) -> int:
    """The ``In[n]`` of the executing cell (IPython 9 counts up before executing)."""
    import IPython

    count = int(shell.execution_count)
    return count - 1 if IPython.version_info[0] >= 9 and count > 1 else count
