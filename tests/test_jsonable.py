"""One JSON rule: non-finite floats travel as strings, everywhere."""

from __future__ import annotations

import json
import math
from typing import Any

from jupyter_mlws.entities import LatestMetric, MetricPoint
from jupyter_mlws.jsonable import dumps, json_float, to_jsonable


class _Shaped:
    def to_dict(self) -> dict[str, Any]:
        return {"loss": math.nan}


def test_non_finite_floats_become_strings_at_any_depth() -> None:
    value = {"a": math.nan, "b": [math.inf, -math.inf, 1.5], "c": (_Shaped(),)}
    assert to_jsonable(value) == {"a": "nan", "b": ["inf", "-inf", 1.5], "c": [{"loss": "nan"}]}
    assert json.loads(dumps(value)) == to_jsonable(value)  # strict JSON: no NaN token
    assert json_float(2.0) == 2.0


def test_entities_follow_the_same_rule() -> None:
    assert MetricPoint("m", math.nan, 0, 0).to_dict()["value"] == "nan"
    latest = LatestMetric("m", math.inf, 1, 2, 3, -math.inf, math.inf)
    assert json.loads(dumps(latest.__dict__))["min"] == "-inf"
