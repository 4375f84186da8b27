"""v1 names whose native capability has not landed yet: importable, failing clearly at use.

``from azureml.core import Dataset`` must work in a notebook that never touches
datasets; ``Dataset.Tabular.from_delimited_files(...)`` then says what is missing.
"""

from __future__ import annotations

from typing import Any, NoReturn

from jupyter_mlws.azureml.exceptions import NotAvailableError


class _Unavailable(type):
    feature: str

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise NotAvailableError(f"{cls.feature} ({cls.__name__}.{name})")

    def __call__(cls, *args: Any, **kwargs: Any) -> NoReturn:
        raise NotAvailableError(f"{cls.feature} ({cls.__name__})")


def placeholder(name: str, feature: str, module: str) -> type:
    """A class named ``name`` whose use raises ``NotAvailableError(feature)``."""
    return _Unavailable(name, (), {"feature": feature, "__module__": module})
