"""``mlws examples [DIR]``: the files the README's snippets use, copied into a folder.

``train.py`` (logistic regression in numpy, writes ``outputs/model.npz``), ``train.ipynb``
(the same as a parameterized notebook) and ``serve/score.py`` (scores that model).
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import click

from jupyter_mlws.cli.context import get_ctx, json_option

FILES = {"train.py": "train.py", "train.ipynb": "train.ipynb", "score.py": "serve/score.py"}


@click.command("examples")
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@json_option
def examples(folder: Path, force: bool) -> None:
    """Copy the example training script, notebook and scoring script into FOLDER."""
    ctx = get_ctx()
    targets = {name: folder / dest for name, dest in FILES.items()}
    existing = [str(path) for path in targets.values() if path.exists()]
    if existing and not force:  # checked first: nothing is half-copied
        raise click.UsageError(f"{', '.join(existing)} already exist: pass --force")
    package = resources.files("jupyter_mlws.examples")
    for name, path in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with resources.as_file(package / name) as source:
            shutil.copyfile(source, path)
    rows = [{"file": str(path)} for path in targets.values()]
    ctx.out.table(rows, ["file"], data=rows)
