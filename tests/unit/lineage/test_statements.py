"""The statement splitter: a ``;`` splits only outside every dialect's literals, comments and names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_provider_dataops.lineage.errors import LineageError
from airflow_provider_dataops.lineage.statements import DIALECTS, split_statements


def texts(sql: str, dialect: str) -> list[str]:
    return [statement.text.strip() for statement in split_statements(sql, dialect)]


@pytest.mark.parametrize(
    ("dialect", "sql", "expected"),
    [
        ("postgres", "SELECT ';' FROM a; SELECT 2", ["SELECT ';' FROM a", "SELECT 2"]),
        ("postgres", "SELECT 'it''s;' FROM a; SELECT 2", ["SELECT 'it''s;' FROM a", "SELECT 2"]),
        ("postgres", 'SELECT "a;b" FROM "t;"; SELECT 2', ['SELECT "a;b" FROM "t;"', "SELECT 2"]),
        ("postgres", "SELECT 1 -- no; split\n; SELECT 2", ["SELECT 1 -- no; split", "SELECT 2"]),
        ("postgres", "SELECT /* ; */ 1; SELECT 2", ["SELECT /* ; */ 1", "SELECT 2"]),
        ("postgres", "SELECT $$ ; $$; SELECT 2", ["SELECT $$ ; $$", "SELECT 2"]),
        ("postgres", "SELECT $f$ ; $g$ ; $f$; SELECT 2", ["SELECT $f$ ; $g$ ; $f$", "SELECT 2"]),
        ("postgres", "SELECT E'\\';' ; SELECT 2", ["SELECT E'\\';'", "SELECT 2"]),
        # a standard Postgres string has no backslash escape: the quote after \ closes it
        ("postgres", "SELECT 'a\\'; SELECT 2", ["SELECT 'a\\'", "SELECT 2"]),
        ("snowflake", "SELECT 'a\\';b' FROM t; SELECT 2", ["SELECT 'a\\';b' FROM t", "SELECT 2"]),
        ("snowflake", "SELECT 1 // no; split\n; SELECT 2", ["SELECT 1 // no; split", "SELECT 2"]),
        ("snowflake", "SELECT $$ ; $$; SELECT 2", ["SELECT $$ ; $$", "SELECT 2"]),
        ("mysql", 'SELECT 1 # no; split\n; SELECT "x;"', ["SELECT 1 # no; split", 'SELECT "x;"']),
        ("mysql", "SELECT `a;b` FROM t; SELECT 2", ["SELECT `a;b` FROM t", "SELECT 2"]),
        (
            "bigquery",
            "SELECT '''a;\n''' FROM `p.d.t;`; SELECT 2",
            ["SELECT '''a;\n''' FROM `p.d.t;`", "SELECT 2"],
        ),
        ("mssql", "SELECT [a;b] FROM t; SELECT 2", ["SELECT [a;b] FROM t", "SELECT 2"]),
        ("hive", 'SELECT "a;b" FROM t; SELECT 2', ['SELECT "a;b" FROM t', "SELECT 2"]),
    ],
)
def test_semicolon_splits_only_outside_literals_comments_and_quoted_names(
    dialect: str, sql: str, expected: list[str]
) -> None:
    assert texts(sql, dialect) == expected


def test_unterminated_literal_keeps_the_rest_of_the_file_in_one_statement() -> None:
    assert texts("SELECT 1; SELECT 'open; SELECT 3", "postgres") == ["SELECT 1", "SELECT 'open; SELECT 3"]


def test_empty_statements_and_comment_only_tails_are_dropped() -> None:
    # a statement keeps the comments before it: the parser's line numbers count from its start
    assert texts(";; -- c\nSELECT 1;\n ; /* end */\n", "postgres") == ["-- c\nSELECT 1"]


def test_statement_lines_count_from_the_file_start() -> None:
    sql = "-- header\n\nINSERT INTO a\nSELECT 1;\n\n/* note */\nSELECT 2;"
    first, second = split_statements(sql, "postgres")
    assert (first.first_line, first.line) == (1, 3)
    assert (second.first_line, second.line) == (4, 7)


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("insert into a select 1", "INSERT"),
        ("WITH c AS (SELECT 1 FROM (SELECT 2) x) INSERT INTO z SELECT * FROM c", "INSERT"),
        ("WITH RECURSIVE c AS (SELECT 1) SELECT * FROM c", "SELECT"),
        ("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", "MERGE"),
        ("/* lead */ create table x as select 1", "CREATE"),
        ("-- c\nWITH c AS (SELECT ')' FROM t /* ) */) DELETE FROM z WHERE id IN (SELECT 1 FROM c)", "DELETE"),
    ],
)
def test_kind_is_the_main_keyword_after_any_cte_list(sql: str, kind: str) -> None:
    (statement,) = split_statements(sql, "postgres")
    assert statement.kind == kind


@pytest.mark.parametrize(
    ("sql", "has_list"),
    [
        ("INSERT INTO t (a, b) SELECT x, y FROM s", True),
        ('INSERT INTO "s"."t" ("a") VALUES (1)', True),
        ("INSERT INTO t SELECT x FROM s", False),
        ("INSERT INTO t (SELECT x FROM s)", False),
        ("INSERT INTO t (WITH c AS (SELECT 1) SELECT * FROM c)", False),
        ("CREATE OR REPLACE VIEW v (a, b) AS SELECT 1, 2", True),
        ("CREATE TABLE IF NOT EXISTS t AS SELECT 1", False),
        ("INSERT OVERWRITE TABLE t (a) SELECT 1", True),
        ("-- lead\nINSERT INTO t /* target; */ (a, b) SELECT y, x FROM s", True),
        ("/* (x) */ INSERT INTO t SELECT '(a, b)' FROM s", False),
    ],
)
def test_a_separate_target_column_list_is_detected(sql: str, has_list: bool) -> None:
    (statement,) = split_statements(sql, "postgres")
    assert statement.has_column_list is has_list


def test_quoted_names_are_reported_without_quotes() -> None:
    (statement,) = split_statements('SELECT "Qty", "a""b" FROM "Raw"."Lines"', "postgres")
    assert statement.quoted == {"Qty", 'a"b', "Raw", "Lines"}


@pytest.mark.parametrize(
    ("dialect", "sql", "secret"),
    [
        ("postgres", "ALTER USER bob WITH PASSWORD 'hunter2;x'", "hunter2;x"),
        ("mysql", "CREATE USER bob IDENTIFIED BY 'pw1'", "pw1"),
        (
            "snowflake",
            "CREATE STAGE s URL='s3://b' CREDENTIALS=(AWS_KEY_ID='AKIA1' AWS_SECRET_KEY='sk')",
            "sk",
        ),
        (
            "snowflake",
            "CREATE STAGE s URL='s3://b' CREDENTIALS=(AWS_KEY_ID='AKIA1' AWS_SECRET_KEY='sk')",
            "AKIA1",
        ),
        (
            "redshift",
            "COPY t FROM 's3://b' CREDENTIALS 'aws_access_key_id=A;aws_secret_access_key=B'",
            "aws_access_key_id=A;aws_secret_access_key=B",
        ),
        ("snowflake", "CREATE STAGE s URL='azure://x' CREDENTIALS=(AZURE_SAS_TOKEN='tok')", "tok"),
        (
            "redshift",
            "COPY t FROM 's3://b' ACCESS_KEY_ID 'A' SECRET_ACCESS_KEY 'B' SESSION_TOKEN 'tok9'",
            "tok9",
        ),
    ],
)
def test_credential_literals_are_redacted(dialect: str, sql: str, secret: str) -> None:
    (statement,) = split_statements(sql, dialect)
    assert secret in statement.secrets
    assert secret not in statement.redacted
    assert "'***'" in statement.redacted


def test_ordinary_literals_are_kept() -> None:
    (statement,) = split_statements("SELECT * FROM t WHERE status = 'SETTLED'", "postgres")
    assert statement.secrets == ()
    assert statement.redacted == statement.text


def test_unknown_dialect_is_refused_with_the_known_ones() -> None:
    with pytest.raises(LineageError, match=r"unknown SQL dialect 'oracle'.*snowflake"):
        split_statements("SELECT 1", "oracle")


def test_dialects_are_the_ones_openlineage_sql_knows() -> None:
    assert set(DIALECTS) == {
        "ansi",
        "bigquery",
        "databricks",
        "generic",
        "hive",
        "mssql",
        "mysql",
        "postgres",
        "postgresql",
        "redshift",
        "snowflake",
        "sqlite",
        "sqlserver",
    }


def test_an_escape_string_credential_is_redacted_without_its_quote() -> None:
    (statement,) = split_statements("ALTER USER bob WITH PASSWORD E'hun\\'ter2'", "postgres")
    assert statement.secrets == ("hun\\'ter2",)
    assert statement.redacted == "ALTER USER bob WITH PASSWORD E'***'"


# pieces holding a ';' that must not split, per dialect: literals, comments and quoted names
_OPAQUE = {
    "postgres": ["'a;b'", "'it''s;'", '"x;y"', "-- c;\n", "/* ; */", "$$ ; $$", "$t$ ; $t$", "E'\\';'"],
    "snowflake": ["'a\\';b'", '"x;y"', "// c;\n", "/* ; */", "$$ ; $$"],
    "mysql": ["'a\\';b'", '"x;"', "# c;\n", "`a;b`", "/* ; */"],
    "bigquery": ["'''a;\n'''", '"""b;"""', "`p.d;t`", "# c;\n", "'x\\';'"],
    "mssql": ["[a;b]", "'a;''b'", '"q;"', "-- c;\n"],
}


@given(
    dialect=st.sampled_from(sorted(_OPAQUE)),
    data=st.data(),
)
@settings(max_examples=300, deadline=None)
def test_generated_statements_split_back_exactly(dialect: str, data: st.DataObject) -> None:
    words = st.sampled_from(["SELECT", "x", "FROM", "t", "(", ")", ",", "1", "-", "/", "*", "e", "$1"])
    piece = st.one_of(words, st.sampled_from(_OPAQUE[dialect]))
    bodies = data.draw(
        st.lists(st.lists(piece, min_size=1, max_size=12).map(" ".join), min_size=1, max_size=6)
    )
    statements = [f"SELECT {body}" for body in bodies]
    text = ";\n".join(statements) + ";"
    assert texts(text, dialect) == [statement.strip() for statement in statements]
