"""Open Inference Protocol v2 tensors <-> the plain data ``run(data)`` takes and returns.

``inputs`` become nested lists shaped as declared (one input: the list itself; several:
a dict by name). What ``run`` returns becomes ``outputs``: a dict gives one output per
key, anything else one output named ``output-0``. No numpy needed here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeGuard


class TensorError(ValueError):
    """The request does not follow the protocol; the message says how."""


def decode_inputs(body: Any) -> Any:
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list) or not body["inputs"]:
        raise TensorError('an inference request needs "inputs": [{name, shape, datatype, data}]')
    tensors = {}
    for item in body["inputs"]:
        if not isinstance(item, dict):
            raise TensorError("each input must be an object with name, shape, datatype, data")
        name, shape, data = item.get("name"), item.get("shape"), item.get("data")
        if not isinstance(name, str) or not _is_shape(shape) or not isinstance(data, list):
            raise TensorError(f"input {name!r} needs a name, a shape (list of ints) and data")
        flat = flatten(data)
        if len(flat) != math.prod(shape):
            raise TensorError(
                f"input {name!r} has {len(flat)} values but shape {shape} needs {math.prod(shape)}"
            )
        tensors[name] = reshape(flat, shape)
    if len(tensors) == 1:
        return next(iter(tensors.values()))
    return tensors


def encode_outputs(result: Any, model: str, version: str | None, request_id: Any) -> dict[str, Any]:
    named = result if isinstance(result, dict) else {"output-0": result}
    outputs = [_tensor(str(name), value) for name, value in named.items()]
    response: dict[str, Any] = {"model_name": model, "outputs": outputs}
    if version is not None:
        response["model_version"] = version
    if request_id is not None:
        response["id"] = request_id
    return response


def _tensor(name: str, value: Any) -> dict[str, Any]:
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        value = value.tolist()
    shape = shape_of(value)
    flat = flatten(value) if isinstance(value, list) else [value]
    return {"name": name, "shape": shape, "datatype": datatype_of(flat), "data": flat}


def shape_of(value: Any) -> list[int]:
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return shape


def flatten(value: Any) -> list[Any]:
    if not isinstance(value, list):
        return [value]
    if not value or not isinstance(value[0], list):
        return value
    flat: list[Any] = []
    for item in value:
        flat.extend(flatten(item))
    return flat


def reshape(flat: list[Any], shape: Sequence[int]) -> Any:
    if len(shape) <= 1:
        return flat
    step = len(flat) // shape[0] if shape[0] else 0
    return [reshape(flat[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]


def datatype_of(flat: list[Any]) -> str:
    if not flat:
        return "FP32"
    first = flat[0]
    if isinstance(first, bool):
        return "BOOL"
    if isinstance(first, int):
        return "INT64"
    if isinstance(first, float):
        return "FP64"
    return "BYTES"


def _is_shape(shape: Any) -> TypeGuard[list[int]]:
    return isinstance(shape, list) and all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    )
