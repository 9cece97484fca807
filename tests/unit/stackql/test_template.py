"""``$name`` expansion: values stay inside their literals, everything else is left alone."""

from __future__ import annotations

from decimal import Decimal

import pytest

from airflow_provider_dataops.hooks.stackql import StackQLHook, StackQLTemplateError
from airflow_provider_dataops.stackql import expand


def test_seed_query_expands_inside_its_string_literals() -> None:
    query = "SELECT status FROM google.compute.instances WHERE project = '$project' AND zone = '${zone}'"
    assert expand(query, {"project": "stackql-demo", "zone": "australia-southeast1-a"}) == (
        "SELECT status FROM google.compute.instances "
        "WHERE project = 'stackql-demo' AND zone = 'australia-southeast1-a'"
    )


def test_injection_attempt_stays_inside_its_literal() -> None:
    assert expand("WHERE project = '$p'", {"p": "x' OR '1'='1"}) == "WHERE project = 'x'' OR ''1''=''1'"


def test_double_dollar_is_a_literal_dollar() -> None:
    assert expand("SELECT '$$p' , $$p", {"p": "nope"}) == "SELECT '$p' , $p"


@pytest.mark.parametrize(
    "query", ["SELECT json_extract(x, '$.a')", "SELECT $1, $2", "SELECT '$' || '${'", "a $ b"]
)
def test_dollar_not_followed_by_an_identifier_is_left_alone(query: str) -> None:
    assert expand(query, {}) == query


def test_undefined_name_raises_naming_it() -> None:
    with pytest.raises(StackQLTemplateError, match=r"\$zone.*not defined"):
        expand("WHERE project = '$project' AND zone = '$zone'", {"project": "p"})


def test_none_value_raises_naming_it() -> None:
    with pytest.raises(StackQLTemplateError, match=r"\$zone.*None"):
        expand("WHERE zone = '$zone'", {"zone": None})


def test_numbers_and_plain_names_may_stand_outside_quotes() -> None:
    assert expand(
        "SELECT * FROM google.compute.$res LIMIT $n OFFSET $d",
        {"res": "instances", "n": 10, "d": Decimal("2")},
    ) == ("SELECT * FROM google.compute.instances LIMIT 10 OFFSET 2")


@pytest.mark.parametrize("value", ["x' OR '1'='1", "1; DROP TABLE t", "a b", True])
def test_other_values_outside_quotes_are_refused(value: object) -> None:
    with pytest.raises(StackQLTemplateError, match=r"\$v is outside quotes"):
        expand("SELECT * FROM t WHERE a = $v", {"v": value})


def test_double_quoted_identifier_has_its_quotes_doubled() -> None:
    assert expand('SELECT "$col" FROM t', {"col": 'a"b'}) == 'SELECT "a""b" FROM t'


def test_doubled_quote_inside_a_literal_keeps_the_literal_open() -> None:
    assert expand("SELECT 'it''s $who'", {"who": "o'neil"}) == "SELECT 'it''s o''neil'"


def test_comments_are_copied_untouched() -> None:
    query = "SELECT 1 -- it's $undefined\n/* $also 'x */ , '$v'"
    assert expand(query, {"v": "ok"}) == "SELECT 1 -- it's $undefined\n/* $also 'x */ , 'ok'"


def test_nul_character_is_refused() -> None:
    with pytest.raises(StackQLTemplateError, match="NUL"):
        expand("'$v'", {"v": "a\x00b"})


def test_hook_expand_is_the_same_function() -> None:
    assert StackQLHook.expand("'$a'", {"a": "b'"}) == "'b'''"
