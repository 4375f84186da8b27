from __future__ import annotations

import pytest

from jupyter_mlws.exceptions import InvalidParameterError
from jupyter_mlws.mlflow_api.search_filter import Comparison, parse_filter


def test_empty_filter_has_no_clauses() -> None:
    assert parse_filter(None) == []
    assert parse_filter("  ") == []


def test_clauses_of_each_entity_joined_by_and() -> None:
    clauses = parse_filter(
        "metrics.rmse < 0.5 and params.lr = '0.01' AND tags.`my tag` LIKE 'a%'"
        " AND attributes.status IN ('RUNNING', 'FINISHED')"
    )
    assert clauses == [
        Comparison("metric", "rmse", "<", 0.5),
        Comparison("param", "lr", "=", "0.01"),
        Comparison("tag", "my tag", "LIKE", "a%"),
        Comparison("attribute", "status", "IN", ("RUNNING", "FINISHED")),
    ]


def test_quoted_keys_ilike_and_escaped_quotes() -> None:
    assert parse_filter("""tags."mlflow.runName" ILIKE 'it''s%'""") == [
        Comparison("tag", "mlflow.runName", "ILIKE", "it's%")
    ]
    assert parse_filter("tag.`mlflow.prompt.is_prompt` != 'true'") == [
        Comparison("tag", "mlflow.prompt.is_prompt", "!=", "true")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "metrics.rmse LIKE '1'",
        "params.lr < 1",
        "rmse < 1",
        "bogus.rmse < 1",
        "metrics.rmse < 1 AND",
        "metrics.rmse < 1 OR metrics.x > 2",
        "attributes.colour = 'red'",
        "attributes.status IN ('RUNNING'",
        "tags.x IN ('a')",
    ],
)
def test_bad_filters_are_invalid_parameters(text: str) -> None:
    with pytest.raises(InvalidParameterError, match="Invalid filter"):
        parse_filter(text)
