"""``expand()`` against the real PostgreSQL lexer, standard_conforming_strings on and off.

Each expanded query is run on the server and must come back with exactly the columns and
values the template promises: a value that escaped its literal would add, drop or change a
column, or fail to parse. A backslash means one thing or another in a plain ``'...'`` depending
on the server setting, so the ``postgresql`` dialect refuses it there and escapes it in ``E'...'``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_provider_dataops.stackql import StackQLTemplateError, expand

HOSTILE = [
    "",
    "-5",
    "'",
    "''",
    "\\",
    "\\'",
    "\\' OR 1=1 --",
    "x' OR '1'='1",
    "' || (SELECT current_user) || '",
    "*/ , 'injected' AS z /*",
    "/*",
    "$$",
    "$q$",
    "$1",
    "E'",
    "U&'\\0041",
    "# the owner's project",
    "a\nb\r\n'--",
    '"',
    "émoji 🎉 '",
]

PLAIN = (
    "SELECT '$v' AS a, /* it's /* nested $v */ ' */ 'sentinel' AS b, "
    "$q$it's $v$q$ AS c -- it's $v\n, 'it''s' AS d"
)
ESCAPED = "SELECT E'$v' AS a, 'sentinel' AS b -- it's\n, e'\\'' AS c"


@pytest.fixture(params=["on", "off"], ids=["scs_on", "scs_off"])
def pg(request: pytest.FixtureRequest, postgres_server: dict[str, Any]) -> Iterator[tuple[Any, str]]:
    """A connection with standard_conforming_strings on or off, and that setting."""
    import psycopg2

    with closing(psycopg2.connect(dbname="postgres", connect_timeout=5, **postgres_server)) as conn:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"SET standard_conforming_strings = {request.param}")
            cur.execute("SET escape_string_warning = off")
        yield conn, request.param


def _run(conn: Any, sql: str) -> tuple[list[str], tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(sql)
        rows = cur.fetchall()
        names = [d[0] for d in cur.description]
    assert len(rows) == 1
    return names, rows[0]


def _check_postgresql(conn: Any, value: str) -> None:
    names, row = _run(conn, expand(ESCAPED, {"v": value}, dialect="postgresql"))
    assert (names, row) == (["a", "b", "c"], (value, "sentinel", "'"))
    if "\\" in value:
        with pytest.raises(StackQLTemplateError, match="backslash"):
            expand(PLAIN, {"v": value}, dialect="postgresql")
        return
    names, row = _run(conn, expand(PLAIN, {"v": value}, dialect="postgresql"))
    assert (names, row) == (["a", "b", "c", "d"], (value, "sentinel", "it's $v", "it's"))


@pytest.mark.parametrize("value", HOSTILE)
def test_postgresql_dialect_keeps_every_value_inside_its_literal(pg: tuple[Any, str], value: str) -> None:
    _check_postgresql(pg[0], value)


@settings(max_examples=80, deadline=None, database=None)
@given(
    value=st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=30)
)
def test_postgresql_dialect_keeps_any_value_inside_its_literal(
    postgres_server: dict[str, Any], value: str
) -> None:
    import psycopg2

    with closing(psycopg2.connect(dbname="postgres", connect_timeout=5, **postgres_server)) as conn:
        conn.autocommit = True
        for scs in ("on", "off"):
            with conn.cursor() as cur:
                cur.execute(f"SET standard_conforming_strings = {scs}")
            _check_postgresql(conn, value)


@pytest.mark.parametrize("value", [v for v in HOSTILE if v])
def test_double_quoted_identifier_holds_the_value(pg: tuple[Any, str], value: str) -> None:
    names, row = _run(pg[0], expand('SELECT 1 AS "$v", 2 AS b', {"v": value}, dialect="postgresql"))
    assert (names, row) == ([value, "b"], (1, 2))


@pytest.mark.parametrize("value", HOSTILE)
def test_stackql_escaping_is_safe_on_postgresql_either_way(pg: tuple[Any, str], value: str) -> None:
    """StackQL's MySQL-style escaping read by PostgreSQL: exact with scs=off, still one literal with on."""
    names, row = _run(pg[0], expand("SELECT '$v' AS a, 'sentinel' AS b -- it's\n", {"v": value}))
    expected = value if pg[1] == "off" else value.replace("\\", "\\\\")
    assert (names, row) == (["a", "b"], (expected, "sentinel"))


@pytest.mark.parametrize("dialect", ["stackql", "postgresql"])
def test_negative_number_no_longer_comments_out_the_project_filter(pg: tuple[Any, str], dialect: str) -> None:
    query = (
        "SELECT count(*) FROM (VALUES (20, 'other-proj'), (16, 'public-proj')) AS t(cpus, project) "
        "WHERE cpus > 10-$n AND project = 'public-proj'"
    )
    _, (count,) = _run(pg[0], expand(query, {"n": -5}, dialect=dialect))  # type: ignore[arg-type]
    assert count == 1  # the seed's 10--5 commented out the project and returned 2


@pytest.mark.parametrize("value", [-5, 5, -0.25, 1e20, -1e-7, Decimal("-12.500"), 2**70])
def test_numbers_reach_postgresql_as_one_number(pg: tuple[Any, str], value: Any) -> None:
    names, row = _run(pg[0], expand("SELECT 10-$n AS x, 'sentinel' AS b", {"n": value}, dialect="postgresql"))
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    assert names == ["x", "b"]
    assert (Decimal(row[0]), row[1]) == (10 - exact, "sentinel")
