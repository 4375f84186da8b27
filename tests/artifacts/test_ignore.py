"""The ignore matcher: gitignore semantics, with fast paths that must agree with it."""

from __future__ import annotations

from pathlib import Path

import pathspec
import pytest

from jupyter_mlws.artifacts.ignore import DEFAULT_PATTERNS, IgnoreRules, load_ignore_rules

SAMPLE_PATHS = [
    (".git", True),
    ("sub/.git", True),
    (".git", False),  # a worktree's .git file is tiny and harmless
    (".mlws", True),
    ("__pycache__", True),
    ("a/b/__pycache__", True),
    ("m.pyc", False),
    ("a/m.pyc", False),
    ("m.pyc", True),
    ("m.py", False),
    (".ipynb_checkpoints", True),
    ("nb/.ipynb_checkpoints", True),
    ("outputs", True),
    ("outputs", False),
    ("pkg/outputs", True),
    ("logs", True),
    ("pkg/logs", True),
    (".venv", True),
    ("tools/.venv", True),
    ("node_modules", True),
    ("web/node_modules", True),
    ("venv", True),
    ("src/main.py", False),
]


@pytest.mark.parametrize(("path", "is_dir"), SAMPLE_PATHS)
def test_default_fast_path_agrees_with_the_documented_patterns(path: str, is_dir: bool) -> None:
    spec = pathspec.GitIgnoreSpec.from_lines(DEFAULT_PATTERNS)
    expected = spec.match_file(path + ("/" if is_dir else ""))
    assert IgnoreRules.from_lines([]).is_ignored(path, is_dir=is_dir) == expected


GITIGNORE = """
# comment
*.log
!keep.log
/build/
data/*
!data/README.md
docs/**/generated
"""


@pytest.mark.parametrize(
    ("path", "is_dir", "ignored"),
    [
        ("a.log", False, True),
        ("deep/a.log", False, True),
        ("keep.log", False, False),
        ("build", True, True),
        ("src/build", True, False),
        ("data", True, False),  # data/* ignores the contents, not the folder
        ("data/x.csv", False, True),
        ("data/README.md", False, False),
        ("docs/a/b/generated", True, True),
        ("docs/generated", False, True),
        ("main.py", False, False),
    ],
)
def test_user_rules_follow_gitignore_semantics(path: str, is_dir: bool, ignored: bool) -> None:
    rules = IgnoreRules.from_lines(GITIGNORE.splitlines())
    exact = pathspec.GitIgnoreSpec.from_lines(GITIGNORE.splitlines())
    assert rules.is_ignored(path, is_dir=is_dir) == ignored
    assert exact.match_file(path + ("/" if is_dir else "")) == ignored  # the prefilter is exact


def test_only_negations_ignore_nothing_beyond_the_defaults() -> None:
    rules = IgnoreRules.from_lines(["!*.py"])
    assert not rules.is_ignored("a.py")
    assert rules.is_ignored("a.pyc")


def test_load_prefers_mlwsignore_then_gitignore(tmp_path: Path) -> None:
    assert load_ignore_rules(tmp_path).source is None
    (tmp_path / ".gitignore").write_text("*.csv\n")
    rules = load_ignore_rules(tmp_path)
    assert rules.source == tmp_path / ".gitignore"
    assert rules.is_ignored("x.csv")
    (tmp_path / ".mlwsignore").write_text("*.bin\n")
    rules = load_ignore_rules(tmp_path)
    assert rules.source == tmp_path / ".mlwsignore"
    assert rules.is_ignored("x.bin")
    assert not rules.is_ignored("x.csv")
