"""Reading conda specifications: their ``pip:`` section and python version only.

There is no conda here, so a conda-only package is refused by name rather than ignored
(an environment that silently lacks a package fails much later, and less clearly).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_mlws.exceptions import InvalidParameterError

# conda's own tooling, harmless to drop: pip itself, and python (its version is kept).
_IMPLIED = {"pip", "python", "setuptools", "wheel"}
_PYTHON_RE = re.compile(r"^python\s*[=<>~!]*=?\s*(3\.\d+)")


@dataclass
class CondaDependencies:
    """v1's ``CondaDependencies.create(pip_packages=[...], python_version="3.11")``."""

    pip_packages: list[str] = field(default_factory=list)
    python_version: str | None = None

    @classmethod
    def create(
        cls,
        conda_packages: Iterable[str] | None = None,
        pip_packages: Iterable[str] | None = None,
        python_version: str | None = None,
        pin_sdk_version: bool = True,
    ) -> CondaDependencies:
        packages = [str(p) for p in conda_packages or ()]
        refuse_conda_only([p for p in packages if _base_name(p) not in _IMPLIED])
        return cls(list(pip_packages or ()), python_version)

    def add_pip_package(self, package: str) -> None:
        self.pip_packages.append(str(package))

    def add_conda_package(self, package: str) -> None:
        refuse_conda_only([package])


def refuse_conda_only(packages: list[str]) -> None:
    if packages:
        raise InvalidParameterError(
            "conda-only packages are not supported (there is no conda here): "
            f"{', '.join(packages)}; list them under 'pip:' instead"
        )


def _base_name(spec: str) -> str:
    return re.split(r"[=<>!~ ]", spec.strip(), maxsplit=1)[0].split("::")[-1].lower()


def parse_conda_spec(data: Any, source: str) -> CondaDependencies:
    if not isinstance(data, Mapping):
        raise InvalidParameterError(f"conda file {source!r} must be a mapping with dependencies:")
    deps = data.get("dependencies") or []
    if not isinstance(deps, list):
        raise InvalidParameterError(f"conda file {source!r}: dependencies must be a list")
    pip: list[str] = []
    python: str | None = None
    conda_only: list[str] = []
    for dep in deps:
        if isinstance(dep, Mapping) and set(dep) == {"pip"} and isinstance(dep["pip"], list):
            pip.extend(str(p) for p in dep["pip"])
        elif isinstance(dep, str):
            match = _PYTHON_RE.match(dep.strip())
            if match:
                python = match.group(1)
            elif _base_name(dep) not in _IMPLIED:
                conda_only.append(dep)
        else:
            raise InvalidParameterError(f"conda file {source!r}: cannot read dependency {dep!r}")
    refuse_conda_only(conda_only)
    return CondaDependencies(pip, python)


def read_conda_file(path: str | Path) -> CondaDependencies:
    try:
        import yaml
    except ImportError:
        raise InvalidParameterError(
            'reading conda files needs PyYAML: pip install "jupyter-mlws[server]"'
        ) from None
    file = Path(path).expanduser()
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidParameterError(f"conda file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        detail = " ".join(str(exc).split())
        raise InvalidParameterError(f"conda file {str(path)!r} is malformed: {detail}") from None
    return parse_conda_spec(data, str(path))
