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


@pytest.mark.parametrize("value", ["x' OR '1'='1", "1; DROP TABLE t", "a b", True, False, "-5"])
def test_other_values_outside_quotes_are_refused(value: object) -> None:
    with pytest.raises(StackQLTemplateError, match=r"\$v is outside quotes"):
        expand("SELECT * FROM t WHERE a = $v", {"v": value})


def test_double_quoted_identifier_has_its_quotes_doubled() -> None:
    assert expand('SELECT "$col" FROM t', {"col": 'a"b'}) == 'SELECT "a""b" FROM t'


def test_doubled_quote_inside_a_literal_keeps_the_literal_open() -> None:
    assert expand("SELECT 'it''s $who'", {"who": "o'neil"}) == "SELECT 'it''s o''neil'"


def test_comments_are_copied_untouched_in_both_dialects() -> None:
    query = "SELECT 1 -- it's $undefined\n/* $also 'x */ , '$v'"
    assert expand(query, {"v": "ok"}) == "SELECT 1 -- it's $undefined\n/* $also 'x */ , 'ok'"


def test_nul_character_is_refused() -> None:
    with pytest.raises(StackQLTemplateError, match="NUL"):
        expand("'$v'", {"v": "a\x00b"})


def test_hook_expand_is_the_same_function() -> None:
    assert StackQLHook.expand("'$a'", {"a": "b'"}) == "'b'''"


# --- numbers never join the text around them (issue 11.1) ---------------------------------


def test_negative_number_is_parenthesised_so_it_never_starts_a_comment() -> None:
    query = "WHERE cpus > 10-$n AND project = 'public-proj'"
    assert expand(query, {"n": -5}) == "WHERE cpus > 10-(-5) AND project = 'public-proj'"
    assert (
        expand(query, {"n": -5}, dialect="postgresql") == "WHERE cpus > 10-(-5) AND project = 'public-proj'"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e5, "100000.0"),
        (-0.5, "(-0.5)"),
        (1e20, "100000000000000000000"),
        (2.5e-7, "0.00000025"),
        (Decimal("1E+3"), "1000"),
        (Decimal("-1.50"), "(-1.50)"),
        (-(2**70), f"({-(2**70)})"),
        (0, "0"),
    ],
)
def test_numbers_are_written_in_plain_decimal_notation(value: object, text: str) -> None:
    assert expand("SELECT $n", {"n": value}) == f"SELECT {text}"


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("-Infinity")]
)
def test_nan_and_infinities_are_refused_outside_quotes(value: object) -> None:
    with pytest.raises(StackQLTemplateError, match=r"\$n is .* not a finite number"):
        expand("SELECT $n", {"n": value})


def test_booleans_are_refused_outside_quotes_but_allowed_inside() -> None:
    with pytest.raises(StackQLTemplateError, match=r"\$b is outside quotes"):
        expand("WHERE flag = $b", {"b": True})
    assert expand("WHERE flag = '$b'", {"b": True}) == "WHERE flag = 'True'"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ${n}0",
        "SELECT 1e$n",
        "SELECT 1$n",
        "SELECT t.$n",
        "SELECT x$n",
        "SELECT ${n}.5",
        "SELECT ${n}e5",
        "SELECT ${n}x",
    ],
)
def test_a_number_touching_other_text_is_refused(query: str) -> None:
    for value in (5, -5, 0.5):
        with pytest.raises(
            StackQLTemplateError, match=r"\$n is a number written directly against other text"
        ):
            expand(query, {"n": value})


def test_a_number_between_operators_and_parentheses_is_fine() -> None:
    assert expand("SELECT 10-$n, ($n), $n*2, $n/$n", {"n": -2}) == "SELECT 10-(-2), ((-2)), (-2)*2, (-2)/(-2)"


# --- escaping for the dialect the value is sent to (issue 11.2) ----------------------------


def test_stackql_doubles_backslashes_as_well_as_quotes() -> None:
    assert expand("WHERE p = '$p'", {"p": "\\' OR 1=1 --"}) == "WHERE p = '\\\\'' OR 1=1 --'"


def test_stackql_double_quoted_identifier_keeps_backslashes() -> None:
    assert expand('SELECT "$c"', {"c": 'a\\"b'}) == 'SELECT "a\\""b"'


def test_postgresql_escape_string_doubles_backslashes_and_quotes() -> None:
    out = expand("WHERE p = E'$p' OR q = e'$p'", {"p": "\\' x"}, dialect="postgresql")
    assert out == "WHERE p = E'\\\\'' x' OR q = e'\\\\'' x'"


@pytest.mark.parametrize("query", ["'$p'", "U&'$p'", 'U&"$p"', "B'$p'"])
def test_postgresql_refuses_a_backslash_where_its_meaning_depends_on_the_server(query: str) -> None:
    with pytest.raises(StackQLTemplateError, match=r"\$p contains a backslash.*standard_conforming_strings"):
        expand(f"SELECT {query}", {"p": "a\\b"}, dialect="postgresql")


def test_postgresql_plain_literal_without_backslash_only_doubles_quotes() -> None:
    assert expand("SELECT '$p', \"$p\"", {"p": 'it\'s "x"'}, dialect="postgresql") == (
        'SELECT \'it\'\'s "x"\', "it\'s ""x"""'
    )


def test_postgresql_query_literal_with_a_backslash_stops_later_expansion() -> None:
    with pytest.raises(StackQLTemplateError, match=r"\$v follows the string literal at offset 7"):
        expand("SELECT 'a\\' , '$v'", {"v": "x"}, dialect="postgresql")
    assert expand("SELECT E'a\\'' , '$v'", {"v": "x"}, dialect="postgresql") == "SELECT E'a\\'' , 'x'"


def test_stackql_backslash_in_the_query_literal_escapes_its_quote() -> None:
    assert expand("SELECT 'a\\' $v', '$v'", {"v": "x"}) == "SELECT 'a\\' x', 'x'"


def test_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="dialect must be one of stackql, postgresql"):
        expand("SELECT 1", {}, dialect="mysql")  # type: ignore[arg-type]


# --- every comment and quote form of the dialect (issue 11.3) ------------------------------


@pytest.mark.parametrize(
    "comment", ["# the owner's project", "-- the owner's project", "// the owner's project"]
)
def test_stackql_line_comments_hide_their_apostrophes(comment: str) -> None:
    query = f"SELECT name FROM t {comment}\nWHERE project = '$project'"
    assert expand(query, {"project": "x' OR '1'='1"}) == (
        f"SELECT name FROM t {comment}\nWHERE project = 'x'' OR ''1''=''1'"
    )


def test_stackql_block_comments_do_not_nest() -> None:
    assert expand("SELECT /* a /* b */ '$v' /*! it's */", {"v": "x"}) == "SELECT /* a /* b */ 'x' /*! it's */"


def test_hash_is_an_operator_not_a_comment_in_postgresql() -> None:
    assert expand("SELECT 5 # 3, '$v'", {"v": "x"}, dialect="postgresql") == "SELECT 5 # 3, 'x'"


def test_postgresql_block_comments_nest() -> None:
    assert expand("SELECT /* a /* it's */ $v */ '$v'", {"v": "x"}, dialect="postgresql") == (
        "SELECT /* a /* it's */ $v */ 'x'"
    )


def test_postgresql_dollar_quoted_strings_are_copied_untouched() -> None:
    query = "SELECT $$it's $v$$, $tag$ it's $v $tag$, '$v', x$$"
    assert (
        expand(query, {"v": "y"}, dialect="postgresql") == "SELECT $$it's $v$$, $tag$ it's $v $tag$, 'y', x$$"
    )


def test_double_dollar_stays_a_literal_dollar_for_stackql() -> None:
    assert expand("SELECT $$v, '$$v'", {"v": "no"}) == "SELECT $v, '$v'"


# --- names outside quotes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dialect", "word"),
    [("stackql", "UNION"), ("stackql", "or"), ("postgresql", "user"), ("postgresql", "Select")],
)
def test_reserved_words_are_refused_as_bare_names(dialect: str, word: str) -> None:
    with pytest.raises(StackQLTemplateError, match=r"reserved word"):
        expand("SELECT $c FROM t", {"c": word}, dialect=dialect)  # type: ignore[arg-type]


def test_reserved_words_are_fine_after_a_dot_and_non_reserved_ones_anywhere() -> None:
    assert expand("SELECT status FROM okta.$r", {"r": "user.users"}) == "SELECT status FROM okta.user.users"
    assert expand("SELECT $c FROM t", {"c": "status"}) == "SELECT status FROM t"
    assert expand("SELECT $c FROM t", {"c": "user"}) == "SELECT user FROM t"


def test_a_name_after_a_number_is_refused() -> None:
    with pytest.raises(StackQLTemplateError, match="follows a number"):
        expand("SELECT 1$c", {"c": "x"})
