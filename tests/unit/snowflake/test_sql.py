"""Quoting helpers: every accepted name or value stays one token under the connector's splitter."""

from __future__ import annotations

import pytest

from airflow_provider_dataops.snowflake.sql import name_problem, quote_ident, quote_literal
from tests.fixtures.snowflake import assert_splits_into

ACCEPTED = ['a"b', '"', "x';--", "$$", "/* c", "// c", "-- c", "semi;colon", "ünï cødé", "a'b\"c"]


@pytest.mark.parametrize("value", ACCEPTED)
def test_accepted_names_and_values_stay_one_token_under_the_connectors_splitter(value: str) -> None:
    statement = f"SELECT {quote_literal(value)} AS {quote_ident(value)} FROM {quote_ident(value)}"
    assert_splits_into(f"{statement};\nSELECT 2;\n", [statement, "SELECT 2"])


@pytest.mark.parametrize("value", ["a\\", "tail\\\\", "back\\slash", "x\\'"])
def test_literals_with_backslashes_stay_one_token(value: str) -> None:
    statement = f"SELECT {quote_literal(value)}"
    assert_splits_into(f"{statement};\nSELECT 2;\n", [statement, "SELECT 2"])


@pytest.mark.parametrize("name", ["x\\", 'a\\"b', "nl\n", "nul\x00", "del\x7f"])
def test_a_name_no_quoting_makes_safe_is_refused_by_quote_ident_itself(name: str) -> None:
    assert name_problem(name)
    with pytest.raises(ValueError, match="identifier"):
        quote_ident(name)


def test_a_literal_with_a_control_character_is_refused() -> None:
    with pytest.raises(ValueError, match="control character"):
        quote_literal("a\nb")
