"""Run-config arguments that stand for data (a dataset input, an output folder).

Such an object has ``mlws_binding() -> dict`` (a JSON reference with a ``token``);
submission stores the reference in the run's definition and puts the token where the
argument was. The job runner's Preparing phase swaps the token for a local path. Secret
requests are checked here too: names only ever reach the definition, never values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jupyter_mlws.exceptions import InvalidParameterError

_SECRET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def bind(value: Any, bindings: list[dict[str, Any]]) -> Any:
    """``value`` with data objects replaced by their tokens (collected in ``bindings``)."""
    binding = getattr(value, "mlws_binding", None)
    if callable(binding):
        ref = dict(binding())
        if not any(b["token"] == ref["token"] for b in bindings):
            bindings.append(ref)
        return ref["token"]
    return value


def bind_all(values: Sequence[Any], bindings: list[dict[str, Any]]) -> list[Any]:
    return [bind(v, bindings) for v in values]


def environment(env: Mapping[str, Any], secrets: Iterable[str]) -> tuple[dict[str, Any], list[str]]:
    """Plain variables as strings, secret references kept as ``{"secret": NAME}``; and
    every secret name the run asks for (``secrets=`` plus those referenced)."""
    names = [check_secret_name(s) for s in secrets]
    clean: dict[str, Any] = {}
    for key, value in env.items():
        if isinstance(value, Mapping):
            if set(value) != {"secret"}:
                raise InvalidParameterError(
                    f"environment variable {key!r}: a mapping value must be a secret "
                    'reference {"secret": NAME}'
                )
            name = check_secret_name(value["secret"])
            clean[str(key)] = {"secret": name}
            if name not in names:
                names.append(name)
        else:
            clean[str(key)] = str(value)
    return clean, names


def check_secret_name(name: Any) -> str:
    if not isinstance(name, str) or not _SECRET_NAME.fullmatch(name):
        raise InvalidParameterError(f"invalid secret name {name!r}")
    return name
