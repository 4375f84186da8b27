"""How a v1 environment spec becomes a native one (what runs where, in the README).

- ``azureml-*`` pip packages (``azureml-defaults``, ``azureml-core``,
  ``azureml-dataset-runtime[pandas,fuse]``, ``azureml-mlflow``…) are dropped: inside a
  build, jupyter-mlws itself answers ``import azureml`` (the host's package is on the
  build's path and the job runner turns the compatibility layer on).
- conda packages become pip requirements: most have the same name on PyPI; the few that
  differ are renamed (``pytorch`` → ``torch``); conda's system libraries (``cudatoolkit``,
  ``mkl``…) are dropped, since PyPI wheels bring their own. conda's ``name=1.2`` (any
  1.2.x) becomes ``name==1.2.*``. A pin that this machine's Python cannot install fails
  the build, which names it.
- Curated names (``AzureML-Minimal``, ``AzureML-sklearn-…``) resolve to the local
  equivalents in ``CURATED``, their packages pinned to this interpreter's versions when
  it has them (the build then comes from the cache and matches the notebook).
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Iterable
from dataclasses import dataclass

from jupyter_mlws.azureml.exceptions import UserErrorException

# PyPI names of conda packages whose names differ.
CONDA_TO_PIP = {
    "pytorch": "torch",
    "pytorch-cpu": "torch",
    "py-xgboost": "xgboost",
    "py-xgboost-cpu": "xgboost",
    "matplotlib-base": "matplotlib",
    "tensorflow-gpu": "tensorflow",
    "py-opencv": "opencv-python",
    "opencv": "opencv-python",
    "python-graphviz": "graphviz",
    "pytables": "tables",
    "pyyaml": "PyYAML",
}
# conda packages with nothing to install from PyPI: conda's own tooling (python's version
# is kept separately) and system libraries that wheels bundle.
TOOLING = {"python", "pip", "setuptools", "wheel"}  # not worth a word when dropped
CONDA_ONLY = TOOLING | {
    "cudatoolkit",
    "cudnn",
    "cuda",
    "nccl",
    "cpuonly",
    "mkl",
    "mkl-service",
    "mkl_fft",
    "mkl_random",
    "nomkl",
    "intel-openmp",
    "blas",
    "openblas",
    "libgcc",
    "libgcc-ng",
    "libstdcxx-ng",
    "_libgcc_mutex",
    "ca-certificates",
    "openssl",
}

_SKLEARN = ("scikit-learn", "pandas", "numpy", "scipy", "joblib")
# Curated environment families → what they hold here. "AzureML-Minimal" is the
# interpreter running jupyter-mlws (it has the SDK, which is all Minimal adds).
CURATED: dict[str, tuple[str, ...] | None] = {
    "azureml-minimal": None,
    "azureml-tutorial": (*_SKLEARN, "matplotlib"),
    "azureml-sklearn": _SKLEARN,
    "azureml-scikit-learn": _SKLEARN,
    "azureml-lightgbm": ("lightgbm", *_SKLEARN),
    "azureml-pytorch": ("torch", "numpy"),
    "azureml-acpt-pytorch": ("torch", "numpy"),
    "azureml-tensorflow": ("tensorflow", "numpy"),
}

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")


@dataclass(frozen=True)
class Mapped:
    requirements: tuple[str, ...]
    dropped: tuple[str, ...]  # azureml-* and conda's system libraries, as written


def is_azureml_package(requirement: str) -> bool:
    match = _NAME.match(requirement)
    name = match.group(1).lower().replace("_", "-") if match else ""
    return name == "azureml" or name.startswith("azureml-")


def _conda_name_and_version(package: str) -> tuple[str, str]:
    match = _NAME.match(package.strip().split("::")[-1])  # "conda-forge::numpy=1.26"
    if not match:
        raise UserErrorException(f"cannot read conda package {package!r}")
    return match.group(1), match.group(3).strip()


def conda_to_pip(package: str) -> str | None:
    """``conda-forge::numpy=1.26`` → ``numpy==1.26.*``; None for a conda-only package."""
    name, version = _conda_name_and_version(package)
    if name.lower() in CONDA_ONLY:
        return None
    name = CONDA_TO_PIP.get(name.lower(), name)
    if not version:
        return name
    if version[0] in "<>!~" or version.startswith("=="):
        return f"{name}{version}"
    # conda's "=1.2", "=1.2.3=build", "1.2": the version, any build; "1.2" is fuzzy.
    version = version.lstrip("=").split("=")[0].strip()
    return f"{name}=={version}" if version.count(".") >= 2 else f"{name}=={version}.*"


def map_packages(pip: Iterable[str], conda: Iterable[str]) -> Mapped:
    requirements: list[str] = []
    dropped: list[str] = []
    for package in conda:
        converted = conda_to_pip(package)
        if converted is None:
            if _conda_name_and_version(package)[0].lower() not in TOOLING:
                dropped.append(package)
        elif converted not in requirements:
            requirements.append(converted)
    for package in pip:
        if is_azureml_package(package):
            dropped.append(package)
        elif package not in requirements:
            requirements.append(package)
    return Mapped(tuple(requirements), tuple(dropped))


def curated_family(name: str) -> str | None:
    """The ``CURATED`` key of a curated name (``AzureML-sklearn-1.0-ubuntu20.04-py38-cpu``
    → ``azureml-sklearn``), None for a name that is not curated."""
    lowered = name.lower()
    if not lowered.startswith("azureml-"):
        return None
    for family in sorted(CURATED, key=len, reverse=True):
        if lowered == family or lowered.startswith(family + "-"):
            return family
    families = ", ".join(f"AzureML-{f[len('azureml-') :]}…" for f in CURATED)
    raise UserErrorException(
        f"curated environment {name!r} has no local equivalent; known families: {families}. "
        "Register your own with Environment.from_pip_requirements(...).register(ws)"
    )


def curated_requirements(family: str) -> tuple[str, ...] | None:
    """The family's packages pinned to this interpreter's versions where it has them;
    None: the interpreter itself (inherit)."""
    packages = CURATED[family]
    if packages is None:
        return None
    return tuple(_pin_to_host(p) for p in packages)


def _pin_to_host(name: str) -> str:
    try:
        return f"{name}=={importlib.metadata.version(name)}"
    except importlib.metadata.PackageNotFoundError:
        return name
