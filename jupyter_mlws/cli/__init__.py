"""The ``mlws`` command line. Errors are one line on stderr, never a traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from jupyter_mlws.cli.app import cli
from jupyter_mlws.cli.context import CliContext
from jupyter_mlws.exceptions import MlwsError


def invoke(args: Sequence[str], obj: CliContext | None = None) -> int:
    """Run one command; return its exit code. Shared by ``main`` and ``%mlws``."""
    try:
        cli.main(list(args), prog_name="mlws", standalone_mode=False, obj=obj or CliContext())
    except MlwsError as exc:
        _error(exc.message)
        return 1
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            click.echo(exc.ctx.get_usage(), err=True)
        _error(exc.format_message())
        return exc.exit_code
    except click.exceptions.Abort:
        _error("aborted")
        return 1
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as exc:  # last resort: still one line unless debugging
        if os.environ.get("MLWS_DEBUG"):
            raise
        _error(f"internal error: {type(exc).__name__}: {exc} (set MLWS_DEBUG=1 for details)")
        return 1
    return 0


def _error(message: str) -> None:
    click.echo(f"mlws: error: {message}", err=True)


def main() -> None:
    sys.exit(invoke(sys.argv[1:]))


__all__ = ["cli", "invoke", "main"]
