"""The options of ``%%run``: parsed strictly, so a typo never submits a run."""

from __future__ import annotations

import argparse
import keyword
import os
import shlex
from dataclasses import dataclass, field
from typing import Any, NoReturn

from jupyter_mlws.cli.params import literal_or_string
from jupyter_mlws.magics.errors import MagicError
from jupyter_mlws.services.sweeps import SweepSettings
from jupyter_mlws.tracking.run import DEFAULT_EXPERIMENT


@dataclass
class RunOptions:
    experiment: str
    compute: str = "local"
    name: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    inline: bool = False
    source_dir: str | None = None
    widget: bool = True
    environment: str | None = None
    sweep: SweepSettings | None = None  # --sweep: -p NAME=EXPR values are swept


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise MagicError(message, usage=self.format_usage().strip())


def _param(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep or not name.isidentifier() or keyword.iskeyword(name):
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE with NAME a Python variable name, got {text!r}"
        )
    try:
        return name, literal_or_string(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{name}: {exc}") from None


def _tag(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="%%run",
        add_help=False,
        allow_abbrev=False,
        description=(
            "Run this cell as a tracked run. By default the cell is submitted to a compute "
            "target: its source becomes the run's script inside a snapshot of the "
            "notebook's folder, and the cell returns at once with a live view of the run. "
            "With --inline the cell runs here, in this kernel, as a tracked interactive run."
        ),
        epilog=(
            "-p values are Python literals when they parse as one (0.1, 3, [1, 2], True), "
            "else strings; each becomes a variable of the cell and a param of the run. "
            "Inside the cell, Run.get_context() is the run."
        ),
    )
    add = parser.add_argument
    add("-e", "--experiment", default=None, help="experiment name (default: Default)")
    add("-c", "--compute", default="local", help="compute target (default: local)")
    add("-n", "--name", default=None, help="display name of the run")
    add(
        "-p",
        "--param",
        dest="params",
        action="append",
        type=_param,
        default=[],
        metavar="NAME=VALUE",
        help="param injected as a variable (repeatable)",
    )
    add(
        "-t",
        "--tag",
        dest="tags",
        action="append",
        type=_tag,
        default=[],
        metavar="KEY=VALUE",
        help="tag of the run (repeatable)",
    )
    add(
        "--env",
        "--environment",
        dest="environment",
        default=None,
        metavar="NAME[:VERSION]",
        help="registered environment to run in (default: inherit this interpreter)",
    )
    add("--inline", action="store_true", help="run in this kernel as a tracked run")
    add(
        "--source-dir",
        default=None,
        metavar="DIR",
        help="folder to snapshot (default: the notebook's folder)",
    )
    add("--no-widget", dest="widget", action="store_false", help="print a line, no live view")
    sweep = parser.add_argument_group(
        "sweep", "--sweep: each -p NAME=EXPR (choice(16, 32), loguniform(-6, -1), …) is swept"
    )
    sweep.add_argument("--sweep", action="store_true", help="run the cell as a sweep's trials")
    sweep.add_argument("--metric", default=None, help="primary metric the cell logs")
    sweep.add_argument("--goal", choices=["max", "min"], default="max")
    sweep.add_argument("--max-runs", type=int, default=None, help="trials in total")
    sweep.add_argument("--concurrent", type=int, default=None, help="trials at once")
    sweep.add_argument("--policy", default=None, help="e.g. bandit:slack=0.1,delay=3")
    sweep.add_argument("--sampling", choices=["random", "grid", "bayesian"], default=None)
    return parser


SWEEP_ONLY = ("metric", "max_runs", "concurrent", "policy", "sampling")


def _sweep_settings(ns: argparse.Namespace) -> SweepSettings | None:
    if not ns.sweep:
        given = [f"--{n.replace('_', '-')}" for n in SWEEP_ONLY if getattr(ns, n) is not None]
        if given:
            raise MagicError(f"{', '.join(given)} need --sweep", usage())
        return None
    if ns.inline:
        raise MagicError("--sweep submits trials; it cannot run --inline", usage())
    if not ns.metric:
        raise MagicError("--sweep needs --metric NAME (the primary metric the cell logs)", usage())
    return SweepSettings(
        metric=ns.metric,
        goal=ns.goal,
        max_runs=ns.max_runs if ns.max_runs is not None else 20,
        concurrent=ns.concurrent,
        policy=ns.policy or "none",
        sampling=ns.sampling or "random",
        display_name=ns.name,
    )


PARSER = build_parser()


def split_magic_line(line: str) -> list[str]:
    """The shell words of a magic line. A ``#`` that starts a word outside quotes starts
    a comment, as in the shell (``%%run -e a  # why``); ``note=#1`` keeps its ``#``
    (``shlex``'s own ``comments=True`` would cut it mid-word)."""
    quote = ""
    escaped = False
    for i, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            line = line[:i]
            break
    return shlex.split(line)


def parse_run_options(line: str) -> RunOptions:
    try:
        words = split_magic_line(line)
    except ValueError as exc:
        raise MagicError(f"cannot parse the options: {exc}", usage=usage()) from None
    ns = PARSER.parse_args(words)
    if ns.inline and ns.compute != "local":
        raise MagicError("--inline runs in this kernel; it cannot take -c/--compute", usage())
    if ns.inline and ns.source_dir:
        raise MagicError("--inline runs in this kernel; it takes no --source-dir", usage())
    if ns.inline and ns.environment:
        raise MagicError("--inline runs in this kernel; it takes no --env", usage())
    return RunOptions(
        experiment=ns.experiment or os.environ.get("MLWS_EXPERIMENT", DEFAULT_EXPERIMENT),
        compute=ns.compute,
        name=ns.name,
        params=dict(ns.params),
        tags=dict(ns.tags),
        inline=ns.inline,
        source_dir=ns.source_dir,
        widget=ns.widget,
        environment=ns.environment,
        sweep=_sweep_settings(ns),
    )


def usage() -> str:
    return PARSER.format_usage().strip()


def help_text() -> str:
    return PARSER.format_help()
