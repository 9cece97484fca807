"""After expansion for StackQL, a MySQL-style lexer sees the same tokens whatever the value.

StackQL's parser is vitess-derived (MySQL-style); sqlglot's ``mysql`` tokenizer is the stand-in
for its lexer here: ``'...'`` with backslash escapes and doubled quotes, ``#``, ``-- `` and
``/* */`` comments. (It differs from StackQL on ``"``, a string for MySQL but an identifier for
StackQL, and on ``--`` without a space, so the templates below avoid both.) For every hostile
value the expanded query must tokenize exactly like the same template with a harmless value:
same token types and texts everywhere except the substituted literal or number, which holds
the value itself, and the same comments.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_provider_dataops.stackql import expand

sqlglot = pytest.importorskip("sqlglot")

HOSTILE = [
    "",
    "-5",
    "'",
    "''",
    "\\",
    "\\\\",
    "\\'",
    "\\' OR 1=1 -- ",
    "\\' OR 1=1 #",
    "x' OR '1'='1",
    "' OR 1=1 /*",
    "*/ OR 1=1 /*",
    "# the owner's project",
    "-- ",
    "a\nb\r\n'",
    "\\\n'",
    ";",
    "$$",
    "$v",
    "${v}",
    '"',
    "\x1a\\Z",
    "\\0",
    "émoji 🎉 '",
]
STRING_TEMPLATES = [
    "SELECT name FROM google.compute.instances WHERE project = '$v' AND zone = 'z' -- it's 'x\nAND cpus > 1",
    "SELECT 1 # the owner's project\n, '$v' AS a, 'b' AS b",
    "SELECT '${v}' /* it's $v */ , 'it''s' , 'a\\'b' , '$v$v'",
]
NUMBER_TEMPLATE = "SELECT name FROM t WHERE cpus > 10-$n AND project = 'public-proj' # it's\n LIMIT $n"


def _tokens(sql: str) -> list[tuple[str, str, tuple[str, ...]]]:
    tokens = sqlglot.Dialect.get_or_raise("mysql").tokenize(sql)
    return [(t.token_type.name, t.text, tuple(t.comments)) for t in tokens]


def _assert_only_the_value_differs(
    template: str, variables: dict[str, Any], reference: dict[str, Any]
) -> None:
    got = _tokens(expand(template, variables))
    want = _tokens(expand(template, reference))
    assert [(kind, comments) for kind, _, comments in got] == [(kind, comments) for kind, _, comments in want]
    for (kind, text, _), (_, ref_text, _) in zip(got, want, strict=True):
        if text != ref_text:
            assert kind in ("STRING", "NUMBER"), (kind, text, ref_text)


@pytest.mark.parametrize("template", STRING_TEMPLATES)
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_string_values_stay_inside_their_literal(template: str, value: str) -> None:
    _assert_only_the_value_differs(template, {"v": value}, {"v": "harmless"})
    strings = [text for kind, text, _ in _tokens(expand(template, {"v": value})) if kind == "STRING"]
    assert value in strings or value + value in strings  # the lexer reads back the value itself


@settings(max_examples=150, deadline=None, database=None)
@given(value=st.text(alphabet=st.characters(exclude_characters="\x00"), max_size=40))
def test_any_string_value_stays_inside_its_literal(value: str) -> None:
    for template in STRING_TEMPLATES:
        _assert_only_the_value_differs(template, {"v": value}, {"v": "harmless"})


NUMBERS = st.one_of(
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False),
)


@settings(max_examples=150, deadline=None, database=None)
@given(value=NUMBERS)
def test_any_number_stays_one_number(value: Any) -> None:
    negative = str(value).startswith("-")
    _assert_only_the_value_differs(NUMBER_TEMPLATE, {"n": value}, {"n": -1 if negative else 1})
    numbers = [text for kind, text, _ in _tokens(expand(NUMBER_TEMPLATE, {"n": value})) if kind == "NUMBER"]
    expected = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    assert Decimal(numbers[1]) == expected.copy_abs()  # numbers[0] is the template's 10


def test_negative_number_keeps_the_rest_of_the_line() -> None:
    tokens = _tokens(expand(NUMBER_TEMPLATE, {"n": -5}))
    assert ("STRING", "public-proj") in [(kind, text) for kind, text, _ in tokens]
