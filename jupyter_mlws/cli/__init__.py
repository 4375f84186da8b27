"""The ``mlws`` command line. Errors are one line on stderr, never a traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from jupyter_mlws.cli.app import cli
from jupyter_mlws.cli.context import CliContext
from jupyter_mlws.exceptions import MlwsError
from jupyter_mlws.services.activity import acting


def invoke(args: Sequence[str], obj: CliContext | None = None, door: str = "cli") -> int:
    """Run one command; return its exit code. Shared by ``main`` and ``%mlws`` (which
    passes its own ``door``: the activity log says which one a change came through)."""
    try:
        with acting(door):
            cli.main(list(args), prog_name="mlws", standalone_mode=False, obj=obj or CliContext())
    except MlwsError as exc:
        _error(exc.message)
        return 1
    except click.exceptions.NoArgsIsHelpError as exc:  # bare `mlws`, `mlws run`: help
        click.echo(exc.ctx.get_help())
        return 0
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see `{exc.ctx.command_path} --help`)"
        _error(exc.format_message() + hint)
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        cause = exc if isinstance(exc, KeyboardInterrupt) else exc.__cause__  # click wraps it
        named = str(cause) if isinstance(cause, KeyboardInterrupt) else ""
        _error(f"interrupted ({named or 'runs keep running; `mlws run cancel RUN` stops one'})")
        return 130
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    except OSError as exc:  # a folder that is not writable, a disk that is full, …
        where = f": {exc.filename}" if exc.filename else ""
        _error(f"{exc.strerror or exc}{where}")
        return 1
    except Exception as exc:  # last resort: still one line unless debugging
        if os.environ.get("MLWS_DEBUG"):
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (set MLWS_DEBUG=1 for details)")
        return 1
    return 0


def _error(message: str) -> None:
    click.echo(f"mlws: error: {' '.join(message.split())}", err=True)


def main() -> None:
    sys.exit(invoke(sys.argv[1:]))


__all__ = ["cli", "invoke", "main"]
