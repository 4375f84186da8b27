"""An environment's spec: python version, pip requirements, index URLs, env vars.

A spec is plain data with a stable hash: registering the same spec again gives the same
version (Azure's ``register`` only adds a version when the definition changed).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_mlws.exceptions import InvalidParameterError

INHERIT = "inherit"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
PYTHON_RE = re.compile(r"^3\.\d{1,2}$")
ENV_VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name) or name == INHERIT:
        raise InvalidParameterError(
            f"environment name {name!r} must be letters, digits, '.', '_' or '-' "
            f"(at most 128, not {INHERIT!r})"
        )
    return name


def check_env_vars(values: Mapping[Any, Any]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for key, value in values.items():
        if not isinstance(key, str) or not ENV_VAR_RE.match(key):
            raise InvalidParameterError(
                f"environment variable name {key!r} must be letters, digits and '_' "
                "(no '=', not starting with a digit)"
            )
        if not isinstance(value, str):
            raise InvalidParameterError(
                f"environment variable {key} must be a string, got {type(value).__name__}"
            )
        clean[key] = value
    return clean


DOCKER_KEYS = ("base_image", "base_dockerfile")


def check_docker(values: Mapping[Any, Any]) -> dict[str, str]:
    unknown = sorted(str(k) for k in values if k not in DOCKER_KEYS)
    if unknown:
        raise InvalidParameterError(
            f"docker settings {', '.join(unknown)} are not known; use {', '.join(DOCKER_KEYS)}"
        )
    clean = {str(k): v for k, v in values.items() if v is not None}
    for key, value in clean.items():
        if not isinstance(value, str) or not value.strip():
            raise InvalidParameterError(f"docker {key} must be a non-empty string")
    return clean


def check_requirement(line: str) -> str:
    text = line.strip()
    if not text or "\n" in text:
        raise InvalidParameterError(f"requirement {line!r} is empty or spans lines")
    if text.startswith("-"):
        raise InvalidParameterError(
            f"requirement {text!r}: pip options are not requirements; "
            "give index URLs with index_urls="
        )
    return text


def read_requirements(path: str | Path) -> list[str]:
    """The requirement lines of a requirements.txt (comments and blank lines dropped;
    ``-r other.txt`` followed; ``--index-url``/``--extra-index-url`` refused here: pass
    index URLs explicitly)."""
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidParameterError(f"requirements file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidParameterError(f"cannot read requirements file {str(path)!r}: {exc}") from None
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            lines.extend(read_requirements(file.parent / line.split(None, 1)[1]))
            continue
        lines.append(check_requirement(line))
    return lines


@dataclass(frozen=True)
class EnvironmentSpec:
    python: str | None = None  # "3.11"; None: the interpreter running jupyter-mlws
    requirements: tuple[str, ...] = ()
    index_urls: tuple[str, ...] = ()
    env_vars: Mapping[str, str] = field(default_factory=dict)
    # Docker settings (``base_image``, ``base_dockerfile``) of a v1 environment: used by
    # the Dockerfile export only, runs are local processes. Empty: left out of the hash.
    docker: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.python is not None and not PYTHON_RE.match(str(self.python)):
            raise InvalidParameterError(
                f"python version {self.python!r} must look like '3.11' (major.minor)"
            )
        object.__setattr__(self, "requirements", tuple(self.requirements))
        for req in self.requirements:
            check_requirement(req)
        object.__setattr__(self, "index_urls", tuple(str(u) for u in self.index_urls))
        object.__setattr__(self, "env_vars", check_env_vars(self.env_vars))
        object.__setattr__(self, "docker", check_docker(self.docker))

    @classmethod
    def build(
        cls,
        requirements: Iterable[str] = (),
        python: str | None = None,
        index_urls: Iterable[str] = (),
        env_vars: Mapping[str, Any] | None = None,
        docker: Mapping[str, Any] | None = None,
    ) -> EnvironmentSpec:
        return cls(
            python=python,
            requirements=tuple(requirements),
            index_urls=tuple(index_urls),
            env_vars=dict(env_vars or {}),
            docker=dict(docker or {}),
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "python": self.python,
            "requirements": list(self.requirements),
            "index_urls": list(self.index_urls),
            "env_vars": dict(sorted(self.env_vars.items())),
        }
        if self.docker:  # absent when empty: specs registered before it keep their hash
            data["docker"] = dict(sorted(self.docker.items()))
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EnvironmentSpec:
        return cls.build(
            data.get("requirements") or (),
            data.get("python"),
            data.get("index_urls") or (),
            data.get("env_vars") or {},
            data.get("docker") or {},
        )

    @classmethod
    def stored(cls, data: Mapping[str, Any]) -> EnvironmentSpec:
        """A spec read back from the store: checked when registered, so not again (a
        listing of thousands of versions must stay fast)."""
        spec = object.__new__(cls)
        for name, value in (
            ("python", data.get("python")),
            ("requirements", tuple(data.get("requirements") or ())),
            ("index_urls", tuple(data.get("index_urls") or ())),
            ("env_vars", dict(data.get("env_vars") or {})),
            ("docker", dict(data.get("docker") or {})),
        ):
            object.__setattr__(spec, name, value)
        return spec

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()


def parse_ref(ref: str) -> tuple[str, int | None]:
    """``"sk"`` → (sk, None: the latest); ``"sk:3"`` → (sk, 3)."""
    name, sep, version = str(ref).partition(":")
    if not sep:
        return check_name(name), None
    if not version.isdigit() or int(version) < 1:
        raise InvalidParameterError(f"environment {ref!r}: the version must be a number >= 1")
    return check_name(name), int(version)
